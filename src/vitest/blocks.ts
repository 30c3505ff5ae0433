import { TestRunner, type RunnerTestSuite } from 'vitest'
import { Block, finishFile, runInBlock, startFile, startTests } from '../core/lifecycle/index.js'
import { recordDatabaseUse } from './file-meta.js'
import { currentRuntime, existingRuntime, refreshRuntime } from './runtime.js'

/** A describe block or a file (Vitest's file task is a suite too). */
type Suite = Readonly<RunnerTestSuite>

const blocks = new WeakMap<Suite, Block>()
/** Files already run as a block: the setup file may be listed twice (the plugin's and a manual one). */
const wrappedFiles = new WeakSet<Suite>()

function parentOf(suite: Suite): Suite | undefined {
  return suite.suite ?? (suite.file === suite ? undefined : suite.file)
}

/** The block of this suite or of its nearest enclosing suite that has one. */
export function nearestBlock(suite: Suite | undefined): Block | undefined {
  for (let at = suite; at; at = parentOf(at)) {
    const block = blocks.get(at)
    if (block) return block
  }
  return undefined
}

/** The suite's block, made on first use, under the nearest enclosing block. */
export function blockOf(suite: Suite): Block {
  let block = blocks.get(suite)
  if (!block) {
    const parent = parentOf(suite)
    block = new Block(suite.name, parent && nearestBlock(parent), currentRuntime)
    blocks.set(suite, block)
  }
  return block
}

function hasBeforeAll(suite: Suite): boolean {
  return (TestRunner.getSuiteHooks(suite as RunnerTestSuite)?.beforeAll.length ?? 0) > 0
}

/**
 * Runs a suite inside its block, so a plain `beforeAll` there that calls `currentDb()`
 * writes into the block's template, and so does what it leaves running until the block's
 * first test starts (then it is refused); the block's template is dropped when the suite ends.
 */
async function aroundBlock(runSuite: () => Promise<void>, suite: Suite): Promise<void> {
  const block = blockOf(suite)
  await block.parent?.freeze()
  // A beforeAll reaches the database synchronously: layers that prepare asynchronously (an
  // ORM's metadata) must be ready first. A failure is kept and shown where a database is used.
  if (hasBeforeAll(suite)) await currentRuntime().prepareIfNeeded().catch(() => {})
  try {
    await runInBlock(block, runSuite)
  } finally {
    await block.drop()
  }
}

/**
 * Vitest runs an `aroundAll` of a setup file around each test file only: at run time, once
 * the file's suites are collected, each describe block gets the same wrapper, through the
 * runner's suite hooks (`TestRunner` is exported by `vitest`, in Vitest 4 and 5 alike).
 */
function wrapDescribeBlocks(suite: Suite): void {
  for (const task of suite.tasks) {
    if (task.type !== 'suite') continue
    TestRunner.getSuiteHooks(task)?.aroundAll.unshift(aroundBlock)
    wrapDescribeBlocks(task)
  }
}

/**
 * The `aroundAll` the setup file registers: runs the test file as a block, its describe
 * blocks as nested blocks, then tells the main process whether the file used a database
 * and closes what the file opened.
 */
// Vitest reads which fixtures a hook uses from its context argument's destructuring: an
// empty pattern asks for none.
// eslint-disable-next-line no-empty-pattern
export async function aroundFile(runSuite: () => Promise<void>, {}: object, file: Suite): Promise<void> {
  if (wrappedFiles.has(file)) return runSuite()
  wrappedFiles.add(file)
  startFile(file.file.filepath)
  // The file and its imports are loaded (Vitest collects a file before it runs it).
  startTests()
  refreshRuntime()
  const openedBefore = existingRuntime()?.databasesOpened ?? 0
  wrapDescribeBlocks(file)
  try {
    await aroundBlock(runSuite, file)
  } finally {
    // First, so that what the file left queued is refused while the file can still fail with it.
    const refusals = await finishFile(file.file.filepath)
    const fixtures = existingRuntime()
    if (fixtures) {
      recordDatabaseUse(file.file, { opened: fixtures.databasesOpened > openedBefore, templateFiles: fixtures.templateFiles })
      fixtures.close()
    }
    failWithRefusals(refusals)
  }
}

/**
 * Fails the file with the refusals no test carried: work a test left running reached for its
 * database after the test ended (the code that got the error may have swallowed it), or a
 * block's setup was used after its tests started.
 */
function failWithRefusals(refusals: readonly Error[]): void {
  if (refusals.length === 1) throw refusals[0]
  if (refusals.length > 1) {
    throw new AggregateError(refusals, `sqlite-fixtures: ${refusals.length} refusals of work left running: ${refusals.map((error) => error.message).join('; ')}`)
  }
}
