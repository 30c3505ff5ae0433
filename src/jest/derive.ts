import type { Database } from 'better-sqlite3'
import { afterAll, beforeAll } from '@jest/globals'
import { Block } from '../core/block.js'
import { runInBlock } from '../core/current.js'
import { currentRuntime, enterBlock, innermostBlock, prepareRuntime } from './hooks.js'

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
  let leave = () => {}
  beforeAll(async () => {
    const parent = innermostBlock()
    await parent?.freeze()
    block = new Block('a deriveTemplate() block', parent, currentRuntime)
    leave = enterBlock(block)
    await prepareRuntime()
    const entered = block
    await runInBlock(entered, async () => {
      await setup(entered.setupScope().get('db'))
    })
  }, timeout)
  afterAll(async () => {
    leave()
    await block?.drop()
  })
}
