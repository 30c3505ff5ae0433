import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, onTestFinished } from 'vitest'
import { resolveOptions, type SqliteFixturesOptions } from '../../src/core/base/options.js'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import { ormMigrationSteps } from '../../src/orm-migrations.js'

/**
 * A scratch project dir for a unit test file, holding `files` (path -> text), removed with the
 * runtimes made in it when the file's tests are done, or the test's, if a test made it (an
 * `afterAll` registered inside a running test never runs).
 */
export function scratchProject(prefix: string, files: Readonly<Record<string, string>>): { root: string; runtime(options: SqliteFixturesOptions): Promise<FixtureRuntime> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    fs.writeFileSync(path.join(root, file), text)
  }
  const runtimes: FixtureRuntime[] = []
  const remove = () => {
    for (const runtime of runtimes) runtime.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
  try {
    onTestFinished(remove)
  } catch {
    // Not in a test: the file collects its tests.
    afterAll(remove)
  }
  return {
    root,
    /** A prepared runtime on the project, as a test file's (ORM migration sets applied as the runners apply them). */
    async runtime(options) {
      const runtime = new FixtureRuntime(resolveOptions({ rootDir: root, cacheDir: 'cache', tempDir: path.join(root, 'tmp'), ...options }), [], undefined, ormMigrationSteps)
      runtimes.push(runtime)
      await runtime.prepare()
      return runtime
    },
  }
}

/** Runs `fn` as a test of its own (in an async context of its own), then ends the test. */
export async function inTest<T>(runtime: FixtureRuntime, name: string, fn: () => Promise<T>): Promise<T> {
  const scope = runtime.openScope(name)
  try {
    return await runInScope(scope, fn)
  } finally {
    await scope.dispose()
  }
}
