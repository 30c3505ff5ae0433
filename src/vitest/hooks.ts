import { aroundAll, aroundEach, type RunnerTestCase as Test, type TestContext } from 'vitest'
import { runAsNobody, runInScope, type TestScope } from '../core/lifecycle/index.js'
import { aroundFile, nearestBlock } from './blocks.js'
import { exposeLayers } from './expose.js'
import { checkInstalledAtStart, markInstalled } from './installed.js'
import { currentRuntime } from './runtime.js'

/** Each test's scope, by its task: hooks registered twice, and context-mode fixtures, share it. */
const scopes = new WeakMap<object, TestScope>()

/** The scope the hooks opened for a test, if they did (context-mode fixtures use it). */
export function scopeOf(task: Test): TestScope | undefined {
  return scopes.get(task)
}

/** Why a test gets no database, or `undefined` when it gets one. */
function optOutReason(tags: readonly string[], auto: boolean): string | undefined {
  if (tags.includes('no-db')) return 'it is tagged "no-db" (on the test, its describe block or its file).'
  if (!auto && !tags.includes('db')) return 'the option auto is false and the test is not tagged "db".'
  return undefined
}

/** Whether the runner already shows `error` for this test: the test threw it, so it need not be added again. */
function shownAlready(task: Test, error: Error): boolean {
  return task.result?.errors?.some((shown) => shown.message === error.message) ?? false
}

/**
 * Opens the test's scope, runs the test (with its hooks) in it, then tears it down. A test
 * in a block whose setup wrote data starts from that block's template. Everything the test
 * starts runs for it, so work it leaves running is refused once it has ended.
 */
// Vitest reads which fixtures a hook uses from the destructuring of its context argument,
// so the context is destructured (and reached again through its task).
async function aroundTest(runTest: () => Promise<void>, { task }: TestContext): Promise<void> {
  const existing = scopes.get(task)
  // The setup file listed twice: the first hooks own the scope.
  if (existing) return runTest()
  const fixtures = currentRuntime()
  const optedOut = optOutReason(task.tags ?? [], fixtures.options.auto)
  const block = nearestBlock(task.suite ?? task.file)
  const scope = fixtures.openScope(task.fullTestName ?? task.name, optedOut, block)
  scopes.set(task, scope)
  const unexpose = exposeLayers(task.context, scope, fixtures.graph.names)
  try {
    // The block's setup ends when its first test starts, even one that uses no database.
    await block?.freeze()
    if (optedOut === undefined) await fixtures.prepareIfNeeded()
    await runInScope(scope, runTest)
  } finally {
    if (task.result?.state === 'fail') scope.markFailed()
    unexpose()
    scopes.delete(task)
    // The plugin's own work: what the teardown runs belongs to no test.
    await runAsNobody(() => scope.dispose((error) => shownAlready(task, error)))
  }
}

/**
 * Registers the hooks that give each test its scope, and each file and describe block its
 * own template for data its beforeAll writes. Registering twice (the plugin's setup file and
 * a manual one) is harmless: the second set of hooks sees the scope and steps aside.
 */
export function installHooks(): void {
  markInstalled()
  checkInstalledAtStart()
  aroundAll(aroundFile)
  aroundEach(aroundTest)
}
