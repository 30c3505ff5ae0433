// Describe blocks whose beforeAll writes, inside the Workers runtime: each gets its own copy of
// the databases, taken when its first test starts, that its tests start from (as the other
// stacks' derived templates do). Found through the runner's suite hooks, as blocks.ts of the
// Vitest adapter finds them.
import { TestRunner, type RunnerTestSuite } from 'vitest'

type Suite = Readonly<RunnerTestSuite>

/** A describe block (or a test file) with a beforeAll: its data is a copy of its own. */
export interface Block {
  readonly key: string
  readonly name: string
  readonly parent: Block | undefined
  /** Whether its copy was taken (its first test started). */
  frozen: boolean
}

const blocks = new WeakMap<Suite, Block>()
let nextKey = 0

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

function hasBeforeAll(suite: Suite): boolean {
  return (TestRunner.getSuiteHooks(suite as RunnerTestSuite)?.beforeAll.length ?? 0) > 0
}

/** What a block needs done around its suite: the data it starts from, and its copy dropped after. */
export interface BlockSteps {
  enter(block: Block): Promise<void>
  leave(block: Block): Promise<void>
}

/**
 * Runs the file, and each describe block in it, inside `steps` where it has a beforeAll.
 * Vitest runs a setup file's `aroundAll` around each test file only: the describe blocks get
 * the same wrapper through the runner's suite hooks.
 */
export function aroundBlocks(steps: BlockSteps): (runSuite: () => Promise<void>, context: object, file: Suite) => Promise<void> {
  // The runner calls a suite's own aroundAll hooks with the suite.
  const around = async (runSuite: () => Promise<void>, suite: Suite): Promise<void> => {
    if (suite.file === suite) wrapDescribeBlocks(suite)
    if (!hasBeforeAll(suite)) return runSuite()
    const block: Block = { key: String(nextKey++), name: suite.name, parent: nearestBlock(parentOf(suite)), frozen: false }
    blocks.set(suite, block)
    await steps.enter(block)
    try {
      await runSuite()
    } finally {
      await steps.leave(block)
    }
  }
  const wrapDescribeBlocks = (suite: Suite): void => {
    for (const task of suite.tasks) {
      if (task.type !== 'suite') continue
      TestRunner.getSuiteHooks(task)?.aroundAll.unshift((runSuite) => around(runSuite, task))
      wrapDescribeBlocks(task)
    }
  }
  // Vitest reads which fixtures a hook uses from its context argument's destructuring: an
  // empty pattern asks for none.
  // eslint-disable-next-line no-empty-pattern
  return (runSuite: () => Promise<void>, {}: object, file: Suite) => around(runSuite, file)
}
