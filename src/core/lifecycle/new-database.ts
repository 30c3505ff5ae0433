import type { Database } from 'better-sqlite3'
import { realmState } from '../base/index.js'

/** Something to do to every test database as it is made, before its test uses it. */
type DatabaseSetup = (db: Database, testName: string) => void

const state = realmState('new-database', () => ({ setup: undefined as DatabaseSetup | undefined }))

/**
 * Registers what to do to each new test database: the handle's set-up calls, made outside
 * any test, hold for `ctx.db` and every layer too. Set from above (the handle), so this room
 * never imports it.
 */
export function onNewDatabase(made: DatabaseSetup): void {
  state.setup = made
}

/** Does to a new test database what `onNewDatabase` registered, if anything. */
export function setUpNewDatabase(db: Database, testName: string): void {
  state.setup?.(db, testName)
}
