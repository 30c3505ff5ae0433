import type { Database } from 'better-sqlite3'
import { afterAll, beforeAll } from '@jest/globals'
import { Block, runInBlock } from '../core/lifecycle/index.js'
import { activateBlock, activeBlock, currentRuntime } from './hooks.js'

/**
 * Sets up data once for the enclosing describe block (or, at the top of a test file, for
 * the file): `setup` runs before the block's first test, on the block's own database, and
 * every test in the block then starts from a fresh copy that already holds that data.
 * Nested blocks start from their parent's data; the data is dropped after the block.
 * (In Jest a plain `beforeAll` cannot do this: Jest does not tell a hook which block it
 * runs for.)
 */
export function deriveTemplate(setup: (db: Database) => unknown, timeout?: number): void {
  let block: Block | undefined
  let deactivate = () => {}
  beforeAll(async () => {
    const parent = activeBlock()
    await parent?.freeze()
    block = new Block('a deriveTemplate() block', parent, currentRuntime)
    deactivate = activateBlock(block)
    await currentRuntime().prepareIfNeeded()
    // Only `setup`, and what it starts, writes into the block: a plain beforeAll may run for another block.
    const current = block
    await runInBlock(current, async () => {
      await setup(current.setupScope().get('db'))
    })
  }, timeout)
  afterAll(async () => {
    deactivate()
    await block?.drop()
  })
}
