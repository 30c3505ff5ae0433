import { AsyncLocalStorage } from 'node:async_hooks'
import type { Database } from 'better-sqlite3'
import type { Block } from './block.js'
import { FixtureUnavailableError } from './errors.js'
import type { Fixtures } from './layer.js'
import type { TestScope } from './scope.js'

const storage = new AsyncLocalStorage<TestScope>()
/** The innermost block (describe block or file) the code runs in: a beforeAll writes into its template. */
const blockStorage = new AsyncLocalStorage<Block>()
const running = new Set<TestScope>()
/** A runner adapter's explanation of why no test is running here, if it knows one. */
let explainNoTest: (() => string | undefined) | undefined

/** Lets a runner adapter explain, in the error, why code runs outside any test's scope. */
export function setNoTestExplanation(explain: () => string | undefined): void {
  explainNoTest = explain
}

/**
 * Runs `fn` (the test, with its hooks) as the given scope's test: inside it, `currentDb()`
 * answers this test, even when other tests run concurrently in the same process.
 */
export async function runInScope<T>(scope: TestScope, fn: () => Promise<T>): Promise<T> {
  running.add(scope)
  try {
    return await storage.run(scope, fn)
  } finally {
    running.delete(scope)
  }
}

/**
 * Runs `fn` (a block's hooks and tests) inside the block: outside any test, `currentDb()`
 * there answers the block's setup database, whose data the block's tests start from.
 */
export function runInBlock<T>(block: Block, fn: () => Promise<T>): Promise<T> {
  return blockStorage.run(block, fn)
}

/** Marks a scope as running for runners that cannot wrap a test in an async context (Jest). */
export function enterScope(scope: TestScope): () => void {
  running.add(scope)
  return () => running.delete(scope)
}

/** The scope of the test this code runs in. */
export function currentScope(): TestScope {
  const scope = storage.getStore()
  if (scope) return scope
  // A block's beforeAll (no test runs in its async context): the block's setup.
  const block = blockStorage.getStore()
  if (block) return block.setupScope()
  // Outside the test's async context (a callback from a native timer, a Jest hook): only
  // unambiguous when one test runs in this process.
  if (running.size === 1) return running.values().next().value as TestScope
  if (running.size === 0) {
    throw new FixtureUnavailableError(
      explainNoTest?.() ??
        'sqlite-fixtures: currentDb() was called outside a test. Call it from a test, a hook, or code ' +
          'they call; at import time no test is running yet.',
    )
  }
  throw new FixtureUnavailableError(
    `sqlite-fixtures: currentDb() cannot tell which of ${running.size} running tests it serves: it was ` +
      'called outside their async context. Call it from code the test awaits, or pass ctx.db explicitly.',
  )
}

/** The running test's database, made on first use. */
export function currentDb(): Database {
  return currentScope().get('db')
}

/** The running test's value of any layer, awaiting an async setup. */
export function currentLayer<Name extends keyof Fixtures>(name: Name): Promise<Fixtures[Name]> {
  return currentScope().resolve(name)
}
