import { aroundAll, aroundEach, type RunnerTestCase as Test, type TestContext } from 'vitest'
import { realmState } from '../core/base/index.js'
import { bindFakeTimers, runAsNobody, runInScope, type TestScope } from '../core/lifecycle/index.js'
import { aroundFile, nearestBlock } from './blocks.js'
import { concealLayers, exposeAtCollection, exposeLayers } from './expose.js'
import { checkInstalledAtStart, markInstalled } from './installed.js'
import { builtInLayers } from './layers.js'
import { currentRuntime } from './runtime.js'

/**
 * Each test's scope, by its task: hooks registered twice, and context-mode fixtures, share it.
 * Per realm, so a copy of the package loaded after `vi.resetModules()` finds it too.
 */
const scopes = realmState('vitest-scopes', () => new WeakMap<object, TestScope>())

/**
 * How each test was declared (`test.fails`), and how many retries it had when an attempt
 * last started: the plugin turns `fails` off for an attempt that met a refusal, and a retry
 * is judged afresh, as Vitest judges the last attempt.
 */
const declared = realmState('vitest-declared', () => new WeakMap<object, { fails: boolean; retries: number }>())

/** Gives a retry back its declared `fails`: a refusal in an earlier attempt is that attempt's, as its failure is. */
function declareAttempt(task: Test): void {
  // No retry, no later attempt to give its `fails` back to: nothing to keep, for most tests.
  if (!task.retry) return
  const retries = task.result?.retryCount ?? 0
  const seen = declared.get(task)
  if (!seen) declared.set(task, { fails: task.fails === true, retries })
  else if (retries > seen.retries) {
    seen.retries = retries
    // Vitest reads `fails` once, after the last attempt: the task is the runner's own object.
    ;(task as { fails?: boolean }).fails = seen.fails
  }
  // Not across repeats (`repeats`): a repeat's failure stands for the test, so its refusal does.
}

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

/**
 * Whether the runner shows `error` for this attempt of the test already (the test threw it),
 * so it need not be added again. Vitest keeps an earlier attempt's errors (`retry`) in the
 * same list: only those since `from` count.
 */
function shownAlready(task: Test, from: number, error: Error): boolean {
  return task.result?.errors?.slice(from).some((shown) => shown.message === error.message) ?? false
}

/**
 * Opens the test's scope, runs the test (with its hooks) in it, then tears it down; once per
 * attempt (`retry`, `repeats`), so an attempt's left-running work is refused in the next. A
 * test in a block whose setup wrote data starts from that block's template. Everything the
 * test starts runs for it, so work it leaves running is refused once it has ended.
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
  exposeLayers(task.context, scope, fixtures.graph.names)
  const errorsBefore = task.result?.errors?.length ?? 0
  declareAttempt(task)
  try {
    // The block's setup ends when its first test starts, even one that uses no database.
    // Each await is taken only when there is something to wait for: a test that never
    // touches a database pays none but the test's own.
    if (block && !block.frozenDone) await block.freeze()
    if (optedOut === undefined && fixtures.preparePending) await fixtures.prepareIfNeeded()
    await runInScope(scope, runTest)
  } finally {
    if (task.result?.state === 'fail') scope.markFailed()
    // `test.fails` turns a failure into a pass, the plugin's refusal included: an attempt that
    // met one fails with it instead, however the test is declared.
    const expectedToFail = task.fails === true && scope.refusals.length > 0
    if (expectedToFail) (task as { fails?: boolean }).fails = false
    concealLayers(task.context, scope)
    scopes.delete(task)
    // The plugin's own work: what the teardown runs belongs to no test. A test that built
    // nothing has nothing to tear down, and ends here.
    if (!scope.endIfIdle()) {
      await runAsNobody(() =>
        scope.dispose({ shown: (error) => shownAlready(task, errorsBefore, error), runner: 'vitest', failing: expectedToFail ? 'test.fails' : undefined }),
      )
    }
  }
}

/**
 * Registers the hooks that give each test its scope, and each file and describe block its
 * own template for data its beforeAll writes. Registering twice (the plugin's setup file and
 * a manual one) is harmless: the second set of hooks sees the scope and steps aside.
 */
export function installHooks(): void {
  // Before the project's setup files, which may fake timers.
  bindFakeTimers()
  markInstalled()
  checkInstalledAtStart()
  aroundAll(aroundFile)
  aroundEach(aroundTest)
  // The layers every project has; a project's own get theirs as each test starts.
  exposeAtCollection(['db', ...builtInLayers.map((layer) => layer.name)])
}
