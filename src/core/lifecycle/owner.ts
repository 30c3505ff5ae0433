import { AsyncLocalStorage } from 'node:async_hooks'
import type { Block } from './block.js'
import { FixtureUnavailableError } from '../base/index.js'
import type { TestScope } from './scope.js'

// Tests and blocks that run one at a time are tracked in plain sets; AsyncLocalStorage is
// used only where they overlap (test.concurrent, describe.concurrent). In Node 20 and 22 an
// AsyncLocalStorage in use slows every promise of the process (a Vitest run measured
// ~0.3 ms more per test, database or not), a cost sequential tests should not pay.
const storage = new AsyncLocalStorage<TestScope>()
/** The block (describe block or file) the code runs in, when blocks overlap. */
const blockStorage = new AsyncLocalStorage<Block>()
const running = new Set<TestScope>()
/** Blocks whose hooks or tests run, innermost last, when they run one at a time. */
const blocks: Block[] = []
/** Overlapping tests and blocks in flight: when none is left, AsyncLocalStorage is switched off again. */
let overlapping = 0
/** A runner adapter's explanation of why no test is running here, if it knows one. */
let explainNoTest: (() => string | undefined) | undefined

/** Lets a runner adapter explain, in the error, why code runs outside any test's scope. */
export function setNoTestExplanation(explain: () => string | undefined): void {
  explainNoTest = explain
}

async function overlap<T>(run: () => Promise<T>): Promise<T> {
  overlapping += 1
  try {
    return await run()
  } finally {
    overlapping -= 1
    if (overlapping === 0) {
      storage.disable()
      blockStorage.disable()
    }
  }
}

/**
 * Runs `fn` (the test, with its hooks) as the given scope's test: inside it, `currentDb()`
 * answers this test. With `concurrent`, or inside an overlapping block, the test may overlap
 * others in this process, and gets an async context of its own, so `currentDb()` tells them apart.
 */
export async function runInScope<T>(scope: TestScope, fn: () => Promise<T>, concurrent: boolean): Promise<T> {
  running.add(scope)
  try {
    return await (concurrent || overlapping > 0 ? overlap(() => storage.run(scope, fn)) : fn())
  } finally {
    running.delete(scope)
  }
}

/**
 * Runs `fn` in the async context of a test that is already running: for work a library
 * queued from that test and runs later from another test's context (Prisma's request
 * batches, say), so that `currentDb()` there answers the test the work belongs to. Tests
 * that run one at a time need no async context: the one running test is found without it.
 */
export function inScopeOf<T>(scope: TestScope, fn: () => T): T {
  return overlapping > 0 ? storage.run(scope, fn) : fn()
}

/** How many tests run in this process right now (more than one under `test.concurrent`). */
export function runningTests(): number {
  return running.size
}

/**
 * Runs `fn` (a block's hooks and tests) inside the block: outside any test, `currentDb()`
 * there answers the block's setup database, whose data the block's tests start from. With
 * `concurrent` (or inside a block that has it), the block may overlap its siblings, and gets
 * an async context of its own.
 */
export async function runInBlock<T>(block: Block, fn: () => Promise<T>, concurrent: boolean): Promise<T> {
  // Inside an overlapping block, a block of tests that run one at a time needs an async
  // context too, or the outer block's context would answer its beforeAll.
  if (concurrent || overlapping > 0) return overlap(() => blockStorage.run(block, fn))
  const leave = enterBlock(block)
  try {
    return await fn()
  } finally {
    leave()
  }
}

/** Pushes `item` on a stack of what is running; returns how to take it off again (wherever it is by then). */
export function pushRunning<T>(stack: T[], item: T): () => void {
  stack.push(item)
  return () => {
    const index = stack.lastIndexOf(item)
    if (index !== -1) stack.splice(index, 1)
  }
}

/** Marks a block as running for runners that have no hook around it (Jest); returns how to leave it. */
export function enterBlock(block: Block): () => void {
  return pushRunning(blocks, block)
}

/** The innermost block running one at a time, whose template a new block or test starts from. */
function innermostBlock(): Block | undefined {
  return blocks.at(-1)
}

/** Marks a scope as running for runners that cannot wrap a test in an async context (Jest). */
export function enterScope(scope: TestScope): () => void {
  running.add(scope)
  return () => running.delete(scope)
}

/**
 * The scope of the test this code runs in, or `undefined` when no test is running here (at
 * import time, between tests). Throws when several tests run and none can be told apart.
 */
export function scopeIfAny(): TestScope | undefined {
  const scope = storage.getStore()
  if (scope) return scope
  // A beforeAll of an overlapping block (the tests in it have async contexts of their own).
  const overlappingBlock = blockStorage.getStore()
  if (overlappingBlock) return overlappingBlock.setupScope()
  // A test that runs alone, a Jest test, a callback from a native timer: only unambiguous
  // when one test runs in this process.
  if (running.size === 1) return running.values().next().value as TestScope
  // No test runs: a block's beforeAll writes into the block's setup database; outside any
  // block (at import time), no test is running here.
  if (running.size === 0) return innermostBlock()?.setupScope()
  throw new FixtureUnavailableError(
    `sqlite-fixtures: currentDb() cannot tell which of ${running.size} running tests it serves: it was ` +
      'called outside their async context. Call it from code the test awaits, or pass ctx.db explicitly.',
  )
}

/** The scope of the test this code runs in. */
export function currentScope(): TestScope {
  const scope = scopeIfAny()
  if (scope) return scope
  throw new FixtureUnavailableError(
    explainNoTest?.() ??
      'sqlite-fixtures: currentDb() was called outside a test. Call it from a test, a hook, or code ' +
        'they call; at import time no test is running yet.',
  )
}
