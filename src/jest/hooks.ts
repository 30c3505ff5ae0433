import fs from 'node:fs'
import { afterAll, afterEach, beforeEach, expect } from '@jest/globals'
import { brokerLayer } from '../broker/layer.js'
import { enterScope, setNoTestExplanation } from '../core/current.js'
import { resolveOptions, type SqliteFixturesOptions } from '../core/options.js'
import { FixtureRuntime } from '../core/runtime.js'
import type { TestScope } from '../core/scope.js'

/** Options from the user's setup file. Jest re-runs setup files for every test file. */
let userOptions: SqliteFixturesOptions | undefined
let runtime: FixtureRuntime | undefined
/** The test running now, with what ends it: Jest runs one test at a time per worker. */
let running: { scope: TestScope; leave: () => void } | undefined

export function configure(options: SqliteFixturesOptions): void {
  runtime?.close()
  runtime = undefined
  userOptions = options
}

function currentRuntime(): FixtureRuntime {
  runtime ??= new FixtureRuntime(resolveOptions(userOptions), [brokerLayer])
  return runtime
}

/** Test files whose docblock says `@sqlite-fixtures no-db`, read once per file. */
const fileOptOut = new Map<string, boolean>()

function fileOptsOut(testPath: string | undefined): boolean {
  if (testPath === undefined) return false
  let optsOut = fileOptOut.get(testPath)
  if (optsOut === undefined) {
    const head = fs.readFileSync(testPath, 'utf8').slice(0, 4096)
    optsOut = /^\s*\/\*\*?[\s\S]*?@sqlite-fixtures\s+no-db\b[\s\S]*?\*\//.test(head)
    fileOptOut.set(testPath, optsOut)
  }
  return optsOut
}

/**
 * Why a test gets no database, or `undefined`. Jest has no tags, so a test opts out by a
 * `[no-db]` marker in its name or its describe block's name, a file by a docblock pragma.
 */
function optOutReason(name: string, testPath: string | undefined, auto: boolean): string | undefined {
  if (/\[no-db\]/.test(name)) return 'its name (or its describe block\'s) has the marker "[no-db]".'
  if (fileOptsOut(testPath)) return 'its file\'s docblock says "@sqlite-fixtures no-db".'
  if (!auto && !/\[db\]/.test(name)) return 'the option auto is false and its name has no "[db]" marker.'
  return undefined
}

async function beforeTest(): Promise<void> {
  const { currentTestName = 'unnamed test', testPath } = expect.getState()
  const fixtures = currentRuntime()
  const optedOut = optOutReason(currentTestName, testPath, fixtures.options.auto)
  if (optedOut === undefined) await fixtures.prepare()
  const scope = fixtures.openScope(currentTestName, optedOut)
  // No async context wraps a Jest test: currentDb() finds the one running scope.
  running = { scope, leave: enterScope(scope) }
}

async function afterTest(): Promise<void> {
  const test = running
  running = undefined
  if (!test) return
  test.leave()
  await test.scope.dispose()
}

let installed = false

// Jest starts test.concurrent tests before, and apart from, beforeEach/afterEach.
setNoTestExplanation(() =>
  expect.getState().currentConcurrentTestName?.() === undefined
    ? undefined
    : 'sqlite-fixtures: Jest runs test.concurrent tests outside beforeEach and afterEach, so they get no ' +
      'database. Use test instead of test.concurrent for tests that need one.',
)

/** Registers the hooks once per test file (Jest runs the setup files for each). */
export function installHooks(): void {
  if (installed) return
  installed = true
  beforeEach(beforeTest)
  afterEach(afterTest)
  afterAll(() => {
    runtime?.close()
  })
}
