import { afterAll, aroundEach, inject, type RunnerTestCase as Test, type TestContext } from 'vitest'
import type { AnyLayer } from '../core/layer.js'
import { runInScope } from '../core/current.js'
import { resolveOptions, type SqliteFixturesOptions } from '../core/options.js'
import { FixtureRuntime } from '../core/runtime.js'
import type { TestScope } from '../core/scope.js'
import { builtInLayers } from './layers.js'
import { providedOptionsKey } from './provided.js'
import { checkLayerNames, exposeLayers } from './expose.js'

/** Options from the user's setup file; the plugin's options (if any) lie under them. */
let userOptions: SqliteFixturesOptions | undefined
let runtime: FixtureRuntime | undefined

/** Layers `fixture()` registered from test files, beside those in the options. */
const contextLayers = new Set<AnyLayer>()

/** Each test's scope, by its task: hooks registered twice, and context-mode fixtures, share it. */
const scopes = new WeakMap<object, TestScope>()

/** Sets the options for the tests that follow. Call it from a file listed in `setupFiles`. */
export function configure(options: SqliteFixturesOptions): void {
  resetRuntime()
  userOptions = options
}

/** Registers a layer used as a context-mode fixture, unless the options already hold it. */
export function addContextLayer(layer: AnyLayer): void {
  if (contextLayers.has(layer)) return
  contextLayers.add(layer)
  if (runtime && !runtime.graph.has(layer.name)) resetRuntime()
}

function resetRuntime(): void {
  runtime?.close()
  runtime = undefined
}

function currentRuntime(): FixtureRuntime {
  if (!runtime) {
    const options = resolveOptions({ ...inject(providedOptionsKey), ...userOptions })
    const extra = [...contextLayers].filter((layer) => !options.layers.includes(layer))
    const created = new FixtureRuntime(options, [...builtInLayers, ...extra])
    checkLayerNames(created.graph.names)
    runtime = created
  }
  return runtime
}

/**
 * The scope of a test, opened by whichever comes first: the hooks or a context-mode
 * fixture. `owned` tells the caller it opened the scope and must dispose of it.
 */
export async function scopeForTest(task: Test, optedOut?: string): Promise<{ scope: TestScope; owned: boolean }> {
  const fixtures = currentRuntime()
  const existing = scopes.get(task)
  // Opened and registered before any await, so a second caller always finds it.
  const scope = existing ?? fixtures.openScope(task.fullTestName ?? task.name, optedOut)
  if (!existing) scopes.set(task, scope)
  try {
    if (optedOut === undefined) await fixtures.prepare()
  } catch (error) {
    if (!existing) releaseScope(task)
    throw error
  }
  return { scope, owned: !existing }
}

/** Forgets a test's scope once its owner disposes of it (Vitest keeps tasks until the run ends). */
export function releaseScope(task: Test): void {
  scopes.delete(task)
}

/** Why a test gets no database, or `undefined` when it gets one. */
function optOutReason(tags: readonly string[], auto: boolean): string | undefined {
  if (tags.includes('no-db')) return 'it is tagged "no-db" (on the test, its describe block or its file).'
  if (!auto && !tags.includes('db')) return 'the option auto is false and the test is not tagged "db".'
  return undefined
}

// Vitest reads which fixtures a hook uses from the destructuring of its context argument,
// so the context is destructured (and reached again through its task).
async function aroundTest(runTest: () => Promise<void>, { task }: TestContext): Promise<void> {
  const optedOut = optOutReason(task.tags ?? [], currentRuntime().options.auto)
  const { scope, owned } = await scopeForTest(task, optedOut)
  if (!owned) return runInScope(scope, runTest)
  const unexpose = exposeLayers(task.context, scope, currentRuntime().graph.names)
  try {
    await runInScope(scope, runTest)
  } finally {
    if (task.result?.state === 'fail') scope.markFailed()
    unexpose()
    releaseScope(task)
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
