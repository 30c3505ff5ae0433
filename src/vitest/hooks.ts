import { afterAll, aroundEach, inject, type TestContext } from 'vitest'
import { runInScope } from '../core/current.js'
import { resolveOptions, type SqliteFixturesOptions } from '../core/options.js'
import { FixtureRuntime } from '../core/runtime.js'
import type { TestScope } from '../core/scope.js'
import { builtInLayers } from './layers.js'
import { providedOptionsKey } from './provided.js'
import { exposeLayers } from './expose.js'

/** Options from the user's setup file; the plugin's options (if any) lie under them. */
let userOptions: SqliteFixturesOptions | undefined
let runtime: FixtureRuntime | undefined

/** The scope already opened for a context, so hooks registered twice run once. */
const scopes = new WeakMap<object, TestScope>()

/** Sets the options for the tests that follow. Call it from a file listed in `setupFiles`. */
export function configure(options: SqliteFixturesOptions): void {
  runtime?.close()
  runtime = undefined
  userOptions = options
}

function currentRuntime(): FixtureRuntime {
  if (!runtime) {
    const provided = inject(providedOptionsKey) ?? {}
    runtime = new FixtureRuntime(resolveOptions({ ...provided, ...userOptions }), builtInLayers)
  }
  return runtime
}

/** Why a test gets no database, or `undefined` when it gets one. */
function optOutReason(tags: readonly string[], auto: boolean): string | undefined {
  if (tags.includes('no-db')) return 'it is tagged "no-db" (on the test, its describe block or its file).'
  if (!auto && !tags.includes('db')) return 'the option auto is false and the test is not tagged "db".'
  return undefined
}

async function aroundTest(runTest: () => Promise<void>, ctx: TestContext): Promise<void> {
  if (scopes.has(ctx)) return runTest()
  const fixtures = currentRuntime()
  const optedOut = optOutReason(ctx.task.tags ?? [], fixtures.options.auto)
  if (optedOut === undefined) await fixtures.prepare()
  const scope = fixtures.openScope(ctx.task.fullTestName, optedOut)
  scopes.set(ctx, scope)
  exposeLayers(ctx, scope, fixtures.graph.names)
  try {
    await runInScope(scope, runTest)
  } finally {
    await scope.dispose()
  }
}

/**
 * Registers the hooks that give each test its scope. Registering twice (the plugin's setup
 * file and a manual one) is harmless: the second set of hooks sees the scope and steps aside.
 */
export function installHooks(): void {
  aroundEach(aroundTest)
  afterAll(() => {
    runtime?.close()
  })
}
