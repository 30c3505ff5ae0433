import type { Database } from 'better-sqlite3'
import { afterAll, beforeAll } from 'vitest'
import { runInBlock } from '../core/lifecycle/index.js'
import { blockOf } from './blocks.js'
import { currentRuntime } from './runtime.js'

/**
 * Sets up data once for the enclosing describe block (or, at the top of a test file, for
 * the file): `setup` runs before the block's first test, on the block's own database, and
 * every test in the block then starts from a fresh copy that already holds that data.
 * Nested blocks start from their parent's data; the data is dropped after the block.
 *
 * With the plugin's hooks, a plain `beforeAll` that calls `currentDb()` does the same; this
 * helper also works in context mode without them, and reads as what it does.
 *
 * ```ts
 * describe('a customer with two orders', () => {
 *   deriveTemplate((db) => {
 *     db.prepare("insert into customers (name) values ('Ada')").run()
 *   })
 *   test('...', ({ db }) => { ... })
 * })
 * ```
 */
export function deriveTemplate(setup: (db: Database) => unknown, timeout?: number): void {
  // Vitest reads which fixtures a hook uses from its context argument's destructuring: an
  // empty pattern asks for none; the suite the hook runs for is the second argument.
  // eslint-disable-next-line no-empty-pattern
  beforeAll(async ({}, suite) => {
    const block = blockOf(suite)
    await block.parent?.freeze()
    await currentRuntime().prepareIfNeeded()
    await runInBlock(block, async () => {
      await setup(block.setupScope().get('db'))
    })
  }, timeout)
  // eslint-disable-next-line no-empty-pattern
  afterAll(async ({}, suite) => {
    await blockOf(suite).drop()
  })
}
