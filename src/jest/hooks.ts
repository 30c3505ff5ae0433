import fs from 'node:fs'
import { afterAll, afterEach, beforeEach, expect, test } from '@jest/globals'
import { type Block, FixtureRuntime, pushRunning, runAsNobody, setNoOwnerExplanation, setRunnerOwner, takeUnreported, type TestScope } from '../core/lifecycle/index.js'
import { FixtureUnavailableError, SqliteFixturesConfigError, type SqliteFixturesOptions } from '../core/base/index.js'
import { wrapConcurrentTests } from './concurrent.js'
import { newRuntime } from './runtime.js'

/** Options from the user's setup file. Jest re-runs setup files for every test file. */
let userOptions: SqliteFixturesOptions | undefined
let runtime: FixtureRuntime | undefined
/** Each test's scope, by the test Jest keeps in its own async context (`currentTestIdentity()`). */
const scopes = new WeakMap<object, TestScope>()
/** The test between its beforeEach and afterEach: Jest runs one at a time per worker (see aroundConcurrentTest for the others). */
let running: { scope: TestScope; test: TestIdentity } | undefined
/** The scopes of concurrent tests still running, or given up on by Jest (a timeout). */
const concurrentScopes = new Set<TestScope>()

export function configure(options: SqliteFixturesOptions): void {
  runtime?.close()
  runtime = undefined
  userOptions = options
}

/** The runtime of this test file, made on first need; it uses the template a global setup built, if any. */
export function currentRuntime(): FixtureRuntime {
  runtime ??= newRuntime(userOptions)
  return runtime
}

/**
 * The blocks (`deriveTemplate()` calls) whose tests are running, innermost last: Jest runs
 * one describe block at a time, so a test starts from the innermost one's template.
 */
const activeBlocks: Block[] = []

/** Marks a block's tests as running, from its beforeAll; the returned function ends that, from its afterAll. */
export function activateBlock(block: Block): () => void {
  return pushRunning(activeBlocks, block)
}

/** The innermost block whose tests are running. */
export function activeBlock(): Block | undefined {
  return activeBlocks.at(-1)
}

/** Test files whose docblock says `@sqlite-fixtures no-db`, read once per file. */
const fileOptOut = new Map<string, boolean>()

function fileOptsOut(testPath: string | undefined): boolean {
  if (testPath === undefined) return false
  let optsOut = fileOptOut.get(testPath)
  if (optsOut === undefined) {
    // Only the file's first comment, as Jest reads `@jest-environment`: a later comment that
    // mentions the pragma does not count.
    const docblock = /^\s*\/\*[\s\S]*?\*\//.exec(fs.readFileSync(testPath, 'utf8'))?.[0] ?? ''
    optsOut = /@sqlite-fixtures\s+no-db\b/.test(docblock)
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

/**
 * The running test as Jest keeps it in its own async context (`expect.getState().currentTestIdentity()`,
 * Jest 30.5 and later): a timer or promise a test started still answers that test after it ended.
 */
interface TestIdentity {
  readonly concurrent?: boolean
  /** Declared with `.failing`: it passes by throwing. */
  readonly failing?: boolean
  readonly errors: unknown[]
  /** `'done'` once Jest has run the test and all its hooks. */
  readonly status?: string | null
}

/** The running test; `undefined` outside one (and before Jest starts running: at import, in setup files). */
function testIdentity(): TestIdentity | undefined {
  const state = expect.getState() as { currentTestIdentity?: () => TestIdentity | undefined }
  return state.currentTestIdentity?.()
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

/** Whether Jest already shows `error` for `test`: the test threw it, so it need not be added again. */
function shownAlready(test: TestIdentity, error: Error): boolean {
  return test.errors.some((shown) => (Array.isArray(shown) ? shown[0] : shown)?.message === error.message)
}

/**
 * Opens `test`'s scope and registers it, before any await: if the wait for the database
 * times out (a slow first template build), Jest ends the test at once, and the end must find
 * the scope. Returns it, and what to await before the test runs.
 */
function openTestScope(test: TestIdentity, name: string): { scope: TestScope; ready: () => Promise<void> } {
  const fixtures = currentRuntime()
  const optedOut = optOutReason(name, expect.getState().testPath, fixtures.options.auto)
  const block = activeBlock()
  const scope = fixtures.openScope(name, optedOut, block)
  scopes.set(test, scope)
  const ready = async () => {
    // The block's setup ends when its first test starts, even one that uses no database.
    await block?.freeze()
    if (optedOut === undefined) await fixtures.prepareIfNeeded()
  }
  return { scope, ready }
}

/** Ends `test`'s scope: tears its database down, and throws what the test must fail with. */
async function endTestScope(test: TestIdentity, scope: TestScope, reported: (error: Error) => boolean): Promise<void> {
  if (scope.ended) return
  concurrentScopes.delete(scope)
  // Jest keeps the test's errors (a failed assertion, a timeout) where the end can see them.
  if (test.errors.length > 0) scope.markFailed()
  // The plugin's own work: what the teardown runs belongs to no test.
  await runAsNobody(() => scope.dispose(reported))
}

async function beforeTest(): Promise<void> {
  const test = runningTest()
  const { scope, ready } = openTestScope(test, expect.getState().currentTestName ?? 'unnamed test')
  running = { scope, test }
  await ready()
}

async function afterTest(): Promise<void> {
  const ending = running
  running = undefined
  if (!ending) return
  await endTestScope(ending.test, ending.scope, (error) => shownAlready(ending.test, error))
}

/**
 * Runs a test.concurrent test's function inside its own scope: Jest runs no beforeEach or
 * afterEach for it, so the scope opens before the function and ends after it.
 */
async function aroundConcurrentTest(run: () => Promise<unknown>): Promise<unknown> {
  const test = runningTest()
  const state = expect.getState() as { currentConcurrentTestName?: () => string | undefined }
  const { scope, ready } = openTestScope(test, state.currentConcurrentTestName?.() ?? 'unnamed test')
  concurrentScopes.add(scope)
  let result: unknown
  try {
    await ready()
    result = await run()
  } catch (error) {
    // The test fails with its own error, and what the end adds (its SQL, a refusal it caught)
    // goes with it. A `.failing` test is meant to throw: Jest counts that as its pass, and a
    // refusal it threw still fails it, as in a test with hooks.
    const expected = test.failing === true
    if (!expected) scope.markFailed()
    const reported = (refusal: Error) => (!expected && refusal === error) || shownAlready(test, refusal)
    await endTestScope(test, scope, reported).catch((end: unknown) => failTest(test, end as Error))
    throw error
  }
  await endTestScope(test, scope, (refusal) => shownAlready(test, refusal))
  return result
}

/**
 * Ends the scope of a concurrent test Jest gave up on (it timed out, and its function carries
 * on): from now on its work is late, and refused. Its failure is Jest's timeout, shown already.
 */
async function abandon(scope: TestScope): Promise<void> {
  concurrentScopes.delete(scope)
  await runAsNobody(() => scope.dispose(() => true)).catch(() => {})
}

/**
 * Fails the file with the refusals no test carried: work a test left running reached for its
 * database after the test ended (the code that got the error may have swallowed it).
 */
function failWithUnreported(): void {
  const refusals = takeUnreported()
  if (refusals.length === 1) throw refusals[0]
  if (refusals.length > 1) {
    throw new AggregateError(refusals, `sqlite-fixtures: ${refusals.length} refusals of work left running: ${refusals.map((error) => error.message).join('; ')}`)
  }
}

let installed = false

// Who owns the code running here: the test Jest keeps in its async context, through its scope.
// A scope that ended while Jest still runs the test's hooks belongs to a hook declared after
// ours (a top-level afterEach): it has no database, and the explanation below says why.
setRunnerOwner(() => {
  const test = testIdentity()
  const scope = test && scopes.get(test)
  if (scope && test?.concurrent === true) {
    if (test.status === 'done' && !scope.ended) void abandon(scope)
    return scope
  }
  return scope?.ended && test?.status !== 'done' ? undefined : scope
})

/** Fails `test` with `error` when it ends, even if its code catches the error; returns the error, to throw. */
function failTest(test: TestIdentity, error: Error): Error {
  if (!shownAlready(test, error)) test.errors.push(error)
  return error
}

// Where a Jest test has no scope, say why: Jest runs the hooks of one level in the order they
// were declared, and starts test.concurrent tests apart from them (the plugin wraps those).
setNoOwnerExplanation(() => {
  const test = testIdentity()
  if (test === undefined) {
    return new FixtureUnavailableError(
      'sqlite-fixtures: currentDb() was called outside a test. In Jest, a beforeAll cannot tell which describe ' +
        'block it runs for (Jest gives hooks no suite and no async context around a block), so it has no database: ' +
        "set up a block's data with deriveTemplate((db) => ...) from 'sqlite-fixtures/jest', in the describe block " +
        'or at the top of the file. At import time no test is running yet.',
    )
  }
  if (!installed) {
    return failTest(
      test,
      new SqliteFixturesConfigError(
        "sqlite-fixtures: the plugin's hooks are not installed in this Jest run, so no test gets a database. Add " +
          "'sqlite-fixtures/jest/setup' to setupFilesAfterEnv in your Jest config (first), or call " +
          "configureSqliteFixtures() from 'sqlite-fixtures/jest' in a file listed there.",
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
})

/** Registers the hooks once per test file (Jest runs the setup files for each). */
export function installHooks(): void {
  if (installed) return
  installed = true
  beforeEach(beforeTest)
  afterEach(afterTest)
  wrapConcurrentTests(test, aroundConcurrentTest)
  afterAll(async () => {
    // Concurrent tests Jest gave up on whose work never came back: their databases go now.
    await Promise.all([...concurrentScopes].map(abandon))
    runtime?.close()
    failWithUnreported()
  })
}
