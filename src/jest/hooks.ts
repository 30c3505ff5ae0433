import fs from 'node:fs'
import { afterAll, afterEach, beforeEach, expect } from '@jest/globals'
import { type Block, enterScope, FixtureRuntime, pushRunning, setNoTestExplanation, type TestScope } from '../core/lifecycle/index.js'
import type { SqliteFixturesOptions } from '../core/base/index.js'
import { newRuntime } from './runtime.js'

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

/** What Jest 30 tells about the running test (`expect.getState().currentTestIdentity`), where it does. */
interface TestIdentity {
  readonly concurrent?: boolean
  readonly errors?: readonly unknown[]
}

function testIdentity(): TestIdentity | undefined {
  const state = expect.getState() as { currentTestIdentity?: () => TestIdentity | undefined }
  return state.currentTestIdentity?.()
}

async function beforeTest(): Promise<void> {
  const { currentTestName = 'unnamed test', testPath } = expect.getState()
  const fixtures = currentRuntime()
  const optedOut = optOutReason(currentTestName, testPath, fixtures.options.auto)
  // Opened and entered before any await: if this hook times out (a slow first template
  // build), Jest runs afterEach at once, and it must find this scope to end it.
  const block = activeBlock()
  const scope = fixtures.openScope(currentTestName, optedOut, block)
  // No async context wraps a Jest test: currentDb() finds the one running scope.
  running = { scope, leave: enterScope(scope) }
  // The block's setup ends when its first test starts, even one that uses no database.
  await block?.freeze()
  if (optedOut === undefined) await fixtures.prepareIfNeeded()
}

async function afterTest(): Promise<void> {
  const test = running
  running = undefined
  if (!test) return
  test.leave()
  // Jest 30 keeps the test's errors (a failed assertion, a timeout) where afterEach can see them.
  if ((testIdentity()?.errors?.length ?? 0) > 0) test.scope.markFailed()
  await test.scope.dispose()
}

let installed = false

// Where a Jest test has no scope, say why: Jest starts test.concurrent tests apart from
// beforeEach/afterEach, and runs the hooks of one level in the order they were declared.
setNoTestExplanation(() => {
  const test = testIdentity()
  if (test === undefined) {
    return (
      'sqlite-fixtures: currentDb() was called outside a test. In Jest, a beforeAll cannot tell which describe ' +
      'block it runs for (Jest gives hooks no suite and no async context around a block), so it has no database: ' +
      "set up a block's data with deriveTemplate((db) => ...) from 'sqlite-fixtures/jest', in the describe block " +
      'or at the top of the file. At import time no test is running yet.'
    )
  }
  return test.concurrent === true
    ? 'sqlite-fixtures: Jest runs test.concurrent tests outside beforeEach and afterEach, so they get no ' +
        'database. Use test instead of test.concurrent for tests that need one.'
    : 'sqlite-fixtures: this hook runs while its test has no database. Jest runs the hooks of one level in ' +
        "the order they were declared, so an afterEach at the top of a test file (or in a setup file listed after " +
        "sqlite-fixtures') runs after the database is gone, and a beforeEach in a setup file listed before it runs " +
        'before the database exists. Move the hook into a describe block, or list sqlite-fixtures first.'
})

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
