import fs from 'node:fs'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals'
import {
  type Block,
  bindFakeTimers,
  finishFile,
  type FixtureRuntime,
  pushRunning,
  runAs,
  runAsNobody,
  runInScope,
  setNoOwnerExplanation,
  setRunnerOwner,
  startFile,
  startTests,
  type TestScope,
} from '../core/lifecycle/index.js'
import { FixtureUnavailableError, realmState, SqliteFixturesConfigError, type SqliteFixturesOptions } from '../core/base/index.js'
import { wrapConcurrentTests } from './concurrent.js'
import { isGeneratorFunction, steppedIn } from './generators.js'
import { newRuntime } from './runtime.js'

/**
 * The running test as Jest keeps it in its own async context (`expect.getState().currentTestIdentity()`,
 * Jest 30.5 and later): jest-circus's own record of the test, the same object for every
 * attempt (`retryTimes`), with a fresh `errors` list per attempt.
 */
interface TestIdentity {
  readonly concurrent?: boolean
  /** Declared with `.failing`: it passes by throwing. */
  readonly failing?: boolean
  readonly errors: unknown[]
  /** How many attempts of the test Jest has started (`retryTimes`). */
  readonly invocations?: number
  /** The test's function, which Jest calls for each attempt. */
  fn?: unknown
  /** The describe block the test is in, with its hooks. */
  readonly parent?: DescribeBlock
}

interface DescribeBlock {
  readonly hooks?: { type: string; fn: unknown }[]
  readonly parent?: DescribeBlock
}

/**
 * What the adapter keeps for the running test file. Per realm (Jest gives each test file its
 * own): a copy of the package loaded after `jest.resetModules()` or in `jest.isolateModules()`
 * sees the same tests, scopes and file.
 */
const state = realmState('jest', () => ({
  /** Options from the user's setup file. */
  userOptions: undefined as SqliteFixturesOptions | undefined,
  runtime: undefined as FixtureRuntime | undefined,
  installed: false,
  /** The scope of each test's attempt running now, by the test: opened before its hooks, closed after. */
  attempts: new WeakMap<object, TestScope>(),
  /** The sequential test between its beforeEach and afterEach: Jest runs one at a time per file. */
  running: undefined as { scope: TestScope; test: TestIdentity } | undefined,
  /** The scopes of concurrent tests still running, or given up on by Jest (a timeout). */
  concurrentScopes: new Set<TestScope>(),
  /** Functions (tests, hooks) already made to run in their test's attempt. */
  bound: new WeakSet<object>(),
  /** The blocks (`deriveTemplate()` calls) whose tests are running, innermost last. */
  activeBlocks: [] as Block[],
  /** Whether the test file's docblock says `@sqlite-fixtures no-db`, read once. */
  fileOptsOut: undefined as boolean | undefined,
}))

export function configure(options: SqliteFixturesOptions): void {
  state.runtime?.close()
  state.runtime = undefined
  state.userOptions = options
}

/** The runtime of this test file, made on first need; it uses the template a global setup built, if any. */
export function currentRuntime(): FixtureRuntime {
  state.runtime ??= newRuntime(state.userOptions)
  return state.runtime
}

/** Marks a block's tests as running, from its beforeAll; the returned function ends that, from its afterAll. */
export function activateBlock(block: Block): () => void {
  return pushRunning(state.activeBlocks, block)
}

/** The innermost block whose tests are running: Jest runs one describe block at a time. */
export function activeBlock(): Block | undefined {
  return state.activeBlocks.at(-1)
}

function fileOptsOut(testPath: string | undefined): boolean {
  if (testPath === undefined) return false
  if (state.fileOptsOut === undefined) {
    // Only the file's first comment, as Jest reads `@jest-environment`: a later comment that
    // mentions the pragma does not count.
    const docblock = /^\s*\/\*[\s\S]*?\*\//.exec(fs.readFileSync(testPath, 'utf8'))?.[0] ?? ''
    state.fileOptsOut = /@sqlite-fixtures\s+no-db\b/.test(docblock)
  }
  return state.fileOptsOut
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

/** The running test; `undefined` outside one (and before Jest starts running: at import, in setup files). */
function testIdentity(): TestIdentity | undefined {
  const jestState = expect.getState() as { currentTestIdentity?: () => TestIdentity | undefined }
  return jestState.currentTestIdentity?.()
}

/** The running test, in a hook that runs for one: Jest before 30.5 cannot say which it is. */
function runningTest(): TestIdentity {
  const test = testIdentity()
  if (test === undefined) {
    throw new SqliteFixturesConfigError(
      'sqlite-fixtures: this Jest does not tell which test code runs for (expect.getState().currentTestIdentity, ' +
        "added in Jest 30.5), so work a test leaves running could not be told from the next test's. Upgrade jest to 30.5 or later.",
    )
  }
  return test
}

/** Whether Jest already shows `error` for this attempt of `test`: the test threw it, so it need not be added again. */
function shownAlready(test: TestIdentity, error: Error): boolean {
  return test.errors.some((shown) => (Array.isArray(shown) ? shown[0] : shown)?.message === error.message)
}

/**
 * `fn` (a test's function, or an each-hook's), made to run in the async context of the
 * attempt of its test that is running when Jest calls it. Jest gives every attempt of a test
 * (`retryTimes`) the same record of the running test, so only the plugin's own context tells
 * a failed attempt's timer from the retry's work. Where no attempt is open (a hook that runs
 * before the plugin's beforeEach, or after its afterEach), `fn` runs as it is.
 */
function inAttempt(fn: unknown): unknown {
  if (typeof fn !== 'function' || state.bound.has(fn) || fn === beforeTest || fn === afterTest) return fn
  const original = fn as (this: unknown, ...args: unknown[]) => unknown
  const inScope = <T>(run: () => T): T => {
    const test = testIdentity()
    const scope = test && state.attempts.get(test)
    return scope && !scope.ended ? runAs(scope, run) : run()
  }
  // A generator stays one (Jest drives it with co), each of its steps in the attempt's context.
  const bound = isGeneratorFunction(fn)
    ? steppedIn(fn, inScope)
    : function (this: unknown, ...args: unknown[]) {
        return inScope(() => original.apply(this, args))
      }
  // Jest passes a `done` callback to a function that declares a parameter.
  Object.defineProperty(bound, 'length', { value: original.length })
  state.bound.add(bound)
  return bound
}

/** Makes the test's function, and the each-hooks of its describe blocks, run in its attempt's context (once each). */
function bindToAttempts(test: TestIdentity): void {
  test.fn = inAttempt(test.fn)
  for (let block = test.parent; block; block = block.parent) {
    for (const hook of block.hooks ?? []) {
      if (hook.type === 'beforeEach' || hook.type === 'afterEach') hook.fn = inAttempt(hook.fn)
    }
  }
}

/**
 * Opens the scope of `test`'s attempt and registers it, before any await: if the wait for the
 * database times out (a slow first template build), Jest ends the test at once, and the end
 * must find the scope. Returns it, and what to await before the test runs.
 */
function openTestScope(test: TestIdentity, name: string): { scope: TestScope; ready: () => Promise<void> } {
  const fixtures = currentRuntime()
  const optedOut = optOutReason(name, expect.getState().testPath, fixtures.options.auto)
  const block = activeBlock()
  const scope = fixtures.openScope(name, optedOut, block)
  state.attempts.set(test, scope)
  const ready = async () => {
    // The block's setup ends when its first test starts, even one that uses no database.
    await block?.freeze()
    if (optedOut === undefined) await fixtures.prepareIfNeeded()
  }
  return { scope, ready }
}

/**
 * Ends the scope of `test`'s attempt: tears its database down, and throws what the test must
 * fail with. A test declared with `.failing` that met a refusal fails with it, however Jest
 * inverts the failure of its function.
 */
async function endTestScope(test: TestIdentity, scope: TestScope, shown: (error: Error) => boolean): Promise<void> {
  if (scope.ended) return
  state.concurrentScopes.delete(scope)
  if (state.attempts.get(test) === scope) state.attempts.delete(test)
  // Jest keeps the test's errors (a failed assertion, a timeout) where the end can see them.
  if (test.errors.length > 0) scope.markFailed()
  const failing = test.failing === true && scope.refusals.length > 0 ? 'test.failing' : undefined
  // The plugin's own work: what the teardown runs belongs to no test.
  await runAsNobody(() => scope.dispose({ shown, runner: 'jest', ...(failing && { failing }) }))
}

async function beforeTest(): Promise<void> {
  const test = runningTest()
  bindToAttempts(test)
  const { scope, ready } = openTestScope(test, expect.getState().currentTestName ?? 'unnamed test')
  state.running = { scope, test }
  await ready()
}

async function afterTest(): Promise<void> {
  const ending = state.running
  state.running = undefined
  if (!ending) return
  await endTestScope(ending.test, ending.scope, (error) => shownAlready(ending.test, error))
}

/**
 * Runs a test.concurrent test's function inside its own scope: Jest runs no beforeEach or
 * afterEach for it, so the scope opens before the function and ends after it, once per
 * attempt. Jest may give up on the function (a timeout) while it still runs: it pushes the
 * timeout to the attempt's errors, or starts a retry with a fresh list; from then on the
 * attempt's work is late.
 */
async function aroundConcurrentTest(run: () => Promise<unknown>): Promise<unknown> {
  const test = runningTest()
  const jestState = expect.getState() as { currentConcurrentTestName?: () => string | undefined }
  const { scope, ready } = openTestScope(test, jestState.currentConcurrentTestName?.() ?? 'unnamed test')
  // Jest 30 refuses to load code in a concurrent test once another has finished ("outside of
  // the scope of the test code"): what the database needs is loaded now, while it may.
  if (scope.hasDatabase) currentRuntime().preloadCode()
  state.concurrentScopes.add(scope)
  const errors = test.errors
  let settled = false
  scope.endWhen(
    () => !settled && (test.errors !== errors || errors.length > 0),
    () => void abandon(scope),
  )
  let result: unknown
  try {
    result = await runInScope(scope, async () => {
      await ready()
      return run()
    })
  } catch (error) {
    settled = true
    // The test fails with its own error, and what the end adds (its SQL, a refusal it caught)
    // goes with it. A `.failing` test is meant to throw: Jest counts that as its pass.
    if (test.failing !== true) scope.markFailed()
    const shown = (refusal: Error) => (test.failing !== true && refusal === error) || shownAlready(test, refusal)
    await endTestScope(test, scope, shown).catch((end: unknown) => failTest(test, end as Error))
    throw error
  }
  settled = true
  await endTestScope(test, scope, (refusal) => shownAlready(test, refusal))
  return result
}

/** Ends the scope of a concurrent test Jest gave up on: its failure is Jest's (a timeout), shown already. */
async function abandon(scope: TestScope): Promise<void> {
  state.concurrentScopes.delete(scope)
  await runAsNobody(() => scope.dispose({ shown: () => true })).catch(() => {})
}

/** Fails `test` with `error` when it ends, even if its code catches the error; returns the error, to throw. */
function failTest(test: TestIdentity, error: Error): Error {
  if (!shownAlready(test, error)) test.errors.push(error)
  return error
}

/**
 * Who owns code the plugin's own context does not reach (a hook from a setup file listed
 * before the plugin's): the test Jest keeps in its async context, while an attempt of it is
 * open, and only its first: Jest's record is the same for every attempt, so code a failed
 * attempt left running could not be told from the retry's.
 */
function runnerOwner(): TestScope | undefined {
  const test = testIdentity()
  if (!test || (test.invocations ?? 1) > 1) return undefined
  const scope = state.attempts.get(test)
  return scope?.ended ? undefined : scope
}

// Where a Jest test has no scope, say why: Jest runs the hooks of one level in the order they
// were declared, and starts test.concurrent tests apart from them (the plugin wraps those).
// `made` names what the user called ("a query through testKnex() was made", say).
function explainNoOwner(made: string, inTestOnly = false): Error | undefined {
  const test = testIdentity()
  if (test === undefined) {
    if (inTestOnly) return undefined
    return new FixtureUnavailableError(
      `sqlite-fixtures: ${made} outside a test. In Jest, a beforeAll cannot tell which describe ` +
        'block it runs for (Jest gives hooks no suite and no async context around a block), so it has no database: ' +
        "set up a block's data with deriveTemplate((db) => ...) from 'sqlite-fixtures/jest', in the describe block " +
        'or at the top of the file. At import time no test is running yet.',
    )
  }
  if (!state.installed) {
    return failTest(
      test,
      new SqliteFixturesConfigError(
        "sqlite-fixtures: the plugin's hooks are not installed in this Jest run, so no test gets a database. Add " +
          "'sqlite-fixtures/jest/setup' to setupFilesAfterEnv in your Jest config (first), or call " +
          "configureSqliteFixtures() from 'sqlite-fixtures/jest' in a file listed there.",
      ),
    )
  }
  if ((test.invocations ?? 1) > 1 && state.attempts.has(test)) {
    return failTest(
      test,
      new FixtureUnavailableError(
        'sqlite-fixtures: code of a retried test (jest.retryTimes) reached for its database outside the async context ' +
          "the plugin gives each attempt: a hook from a setup file listed before sqlite-fixtures', or work it started. " +
          "With retries, only code the plugin runs can be told from an earlier attempt's. List sqlite-fixtures first in setupFilesAfterEnv.",
      ),
    )
  }
  return failTest(
    test,
    new FixtureUnavailableError(
      test.concurrent === true
        ? 'sqlite-fixtures: Jest runs test.concurrent tests outside beforeEach and afterEach, so the plugin wraps ' +
            'test.concurrent when its setup file loads, and this test was declared through one it did not wrap (taken ' +
            "before sqlite-fixtures' setup file ran). List sqlite-fixtures first in setupFilesAfterEnv."
        : 'sqlite-fixtures: this hook runs while its test has no database. Jest runs the hooks of one level in ' +
            "the order they were declared, so an afterEach at the top of a test file (or in a setup file listed after " +
            "sqlite-fixtures') runs after the database is gone, and a beforeEach in a setup file listed before it runs " +
            'before the database exists. Move the hook into a describe block, or list sqlite-fixtures first.',
    ),
  )
}

// Registered as the module loads (the entry may be imported without the hooks installed, and
// then says so); both read the realm's state, so a copy loaded after a module reset answers alike.
setRunnerOwner(runnerOwner)
setNoOwnerExplanation(explainNoOwner)

/** Fails the file with refusals no test carried: work a test left running reached for its database after it ended. */
function failWith(refusals: readonly Error[]): void {
  if (refusals.length === 1) throw refusals[0]
  if (refusals.length > 1) {
    throw new AggregateError(refusals, `sqlite-fixtures: ${refusals.length} refusals of work left running: ${refusals.map((error) => error.message).join('; ')}`)
  }
}

/**
 * Registers the hooks once per test file (Jest runs the setup files for each, and gives each
 * its own realm; a copy of the package loaded after a module reset finds them registered).
 */
export function installHooks(): void {
  if (state.installed) return
  state.installed = true
  const testPath = expect.getState().testPath
  if (testPath !== undefined) startFile(testPath)
  // Before the project's setup files, which may fake timers.
  bindFakeTimers()
  // First of the file's hooks: Jest runs them once it has loaded the file and its imports.
  beforeAll(startTests)
  beforeEach(beforeTest)
  afterEach(afterTest)
  wrapConcurrentTests(test, aroundConcurrentTest)
  afterAll(async () => {
    // What the file left queued runs first, so the file can fail with its refusals.
    const refusals = await finishFile(testPath)
    // Concurrent tests Jest gave up on whose work never came back: their databases go now.
    await Promise.all([...state.concurrentScopes].map(abandon))
    state.runtime?.close()
    failWith(refusals)
  })
}
