import fs from 'node:fs'
import { afterAll, afterEach, beforeEach, expect } from '@jest/globals'
import { type Block, FixtureRuntime, pushRunning, runAsNobody, setNoOwnerExplanation, setRunnerOwner, takeUnreported, type TestScope } from '../core/lifecycle/index.js'
import { FixtureUnavailableError, SqliteFixturesConfigError, type SqliteFixturesOptions } from '../core/base/index.js'
import { newRuntime } from './runtime.js'

/** Options from the user's setup file. Jest re-runs setup files for every test file. */
let userOptions: SqliteFixturesOptions | undefined
let runtime: FixtureRuntime | undefined
/** Each test's scope, by the test Jest keeps in its own async context (`currentTestIdentity()`). */
const scopes = new WeakMap<object, TestScope>()
/** The test running now: Jest runs one test at a time per worker (test.concurrent aside, which gets none). */
let running: { scope: TestScope; test: TestIdentity } | undefined

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

async function beforeTest(): Promise<void> {
  const { currentTestName = 'unnamed test', testPath } = expect.getState()
  const test = runningTest()
  const fixtures = currentRuntime()
  const optedOut = optOutReason(currentTestName, testPath, fixtures.options.auto)
  // Opened and registered before any await: if this hook times out (a slow first template
  // build), Jest runs afterEach at once, and it must find this scope to end it.
  const block = activeBlock()
  const scope = fixtures.openScope(currentTestName, optedOut, block)
  running = { scope, test }
  scopes.set(test, scope)
  // The block's setup ends when its first test starts, even one that uses no database.
  await block?.freeze()
  if (optedOut === undefined) await fixtures.prepareIfNeeded()
}

async function afterTest(): Promise<void> {
  const ending = running
  running = undefined
  if (!ending) return
  const { scope, test } = ending
  // Jest keeps the test's errors (a failed assertion, a timeout) where afterEach can see them.
  if (test.errors.length > 0) scope.markFailed()
  // The plugin's own work: what the teardown runs belongs to no test.
  await runAsNobody(() => scope.dispose((error) => shownAlready(test, error)))
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
  return scope?.ended && test?.status !== 'done' ? undefined : scope
})

/** Fails `test` with `error` when it ends, even if its code catches the error; returns the error, to throw. */
function failTest(test: TestIdentity, error: Error): Error {
  if (!shownAlready(test, error)) test.errors.push(error)
  return error
}

// Where a Jest test has no scope, say why: Jest starts test.concurrent tests apart from
// beforeEach/afterEach, and runs the hooks of one level in the order they were declared.
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
        ? 'sqlite-fixtures: Jest runs test.concurrent tests outside beforeEach and afterEach, so they get no ' +
            'database. Use test instead of test.concurrent for tests that need one.'
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
  afterAll(() => {
    runtime?.close()
    failWithUnreported()
  })
}
