import { aroundAll, aroundEach, type RunnerTestCase as Test, type TestContext } from 'vitest'
import { runInScope, type TestScope } from '../core/lifecycle/index.js'
import { aroundFile, nearestBlock } from './blocks.js'
import { exposeLayers } from './expose.js'
import { currentRuntime } from './runtime.js'

/** Each test's scope, by its task: hooks registered twice, and context-mode fixtures, share it. */
const scopes = new WeakMap<object, TestScope>()

/**
 * The scope of a test, opened by whichever comes first: the hooks or a context-mode
 * fixture. `owned` tells the caller it opened the scope and must dispose of it. A test in a
 * block whose setup wrote data starts from that block's template.
 */
export async function scopeForTest(task: Test, optedOut?: string): Promise<{ scope: TestScope; owned: boolean }> {
  const existing = scopes.get(task)
  if (existing) return { scope: existing, owned: false }
  const fixtures = currentRuntime()
  const block = nearestBlock(task.suite ?? task.file)
  // Opened and registered before any await, so a second caller always finds it.
  const scope = fixtures.openScope(task.fullTestName ?? task.name, optedOut, block)
  scopes.set(task, scope)
  try {
    // The block's setup ends when its first test starts, even one that uses no database.
    await block?.freeze()
    if (optedOut === undefined) await fixtures.prepareIfNeeded()
  } catch (error) {
    releaseScope(task)
    throw error
  }
  return { scope, owned: true }
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
  const concurrent = task.concurrent === true
  if (!owned) return runInScope(scope, runTest, concurrent)
  const unexpose = exposeLayers(task.context, scope, currentRuntime().graph.names)
  try {
    await runInScope(scope, runTest, concurrent)
  } finally {
    if (task.result?.state === 'fail') scope.markFailed()
    unexpose()
    releaseScope(task)
    await scope.dispose()
  }
}

/**
 * Registers the hooks that give each test its scope, and each file and describe block its
 * own template for data its beforeAll writes. Registering twice (the plugin's setup file and
 * a manual one) is harmless: the second set of hooks sees the scope and steps aside.
 */
export function installHooks(): void {
  aroundAll(aroundFile)
  aroundEach(aroundTest)
}
