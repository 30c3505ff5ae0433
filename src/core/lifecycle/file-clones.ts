import type { Database } from 'better-sqlite3'
import { type PragmaValue, realmState } from '../base/index.js'

/** Something to do before a test's database closes: close what opened its file beside `ctx.db`. */
type BeforeClose = (db: Database) => void

/** Shared by every copy of the package in the realm: a driver loaded after a module reset asks the runtime the first copy made. */
const beforeClose = realmState('file-clones', (): BeforeClose[] => [])

/**
 * Asks for every test database made from now on to be a file, also in memory mode: a client
 * that opens the file itself (libSQL's) reaches the same database as `ctx.db`. No env var
 * is bound to it, so `test.concurrent` tests still work. `closing` runs before each test's
 * database closes, so that client lets go of the file first. Set from above (a driver), so
 * this room never imports it.
 */
export function requestFileClones(closing: BeforeClose): void {
  if (!beforeClose.includes(closing)) beforeClose.push(closing)
}

/** Whether test databases must be files (see `requestFileClones`). */
export function fileClonesRequested(): boolean {
  return beforeClose.length > 0
}

/** Runs what `requestFileClones` asked for before a test's database closes. */
export function closingDatabase(db: Database): void {
  for (const closing of beforeClose) closing(db)
}

/**
 * The pragmas of a file clone made on request in memory mode: foreign keys on, nothing else.
 * Not file mode's `journal_mode = MEMORY` and `synchronous = OFF`: setting either makes SQLite
 * read the schema (~0.3 ms on the benchmark's 40 tables), on a connection the test may never use.
 */
export const requestedFilePragmas: Readonly<Record<string, PragmaValue>> = { foreign_keys: true }
