import type { Database } from 'better-sqlite3'
import { type PragmaValue, realmState } from '../base/index.js'
import type { TestScope } from './scope.js'

/** Closes a connection another driver opened on a test's database file; may take a while (an async driver). */
type Closer = () => void | Promise<void>

/**
 * Whether test databases must be files, and the connections other drivers opened on each,
 * closed before it is. Shared by every copy of the package in the realm: a driver loaded after
 * a module reset asks the runtime the first copy made.
 */
const state = realmState('drivers-beside', () => ({ requested: false, besides: new WeakMap<Database, Closer[]>() }))

/**
 * Asks for every test database made from now on to be a file, also in memory mode: a driver
 * that opens the file itself (libSQL's client, node-sqlite3) reaches the same database as
 * `ctx.db`. No env var is bound to it, so `test.concurrent` tests still work. Set from above
 * (a driver), so this room never imports it.
 */
export function requestFileClones(): void {
  state.requested = true
}

/** Whether test databases must be files (see `requestFileClones`). */
export function fileClonesRequested(): boolean {
  return state.requested
}

/** A driver that opens its own connections on test database files, as its errors name it. */
export interface BesideDriver {
  /** The driver, e.g. `libSQL`. */
  readonly name: string
  /** The call that made the app reach it, e.g. `testLibsqlClient()`. */
  readonly call: string
  /** The driver's own error class, for what goes wrong here. */
  readonly error: (message: string) => Error
}

/**
 * Opens a connection of another driver on the scope's database file (made on first use),
 * beside `ctx.db`: two connections to one database, each seeing what the other wrote.
 * `close` runs before the database closes, so the driver lets go of the file first (and is
 * waited for, when it closes asynchronously). The database must be a file, asked for with
 * `requestFileClones()` before the test made it, and outside a transaction.
 */
export function openBeside<C>(scope: TestScope, driver: BesideDriver, open: (file: string, db: Database) => C, close: (connection: C) => void | Promise<void>): C {
  const db = scope.get('db')
  if (db.memory) {
    throw driver.error(
      `sqlite-fixtures: the database of test "${scope.test.name}" was made in memory before ${driver.call} was ` +
        `first called, and ${driver.name} can only open a file. Call ${driver.call} in the setup file (or the module ` +
        'mock it holds), before any test makes a database.',
    )
  }
  if (db.inTransaction) {
    throw driver.error(
      `sqlite-fixtures: the database of test "${scope.test.name}" is inside a transaction when ${driver.call} first opens ` +
        `its connection, which a ${driver.name} connection cannot share: it would write beside an open transaction of ` +
        `another connection: a transaction the test began on ctx.db and has not ended (end it before the first query through ` +
        `${driver.call}), or isolation: 'savepoint', which runs each test inside one (use the default isolation, 'clone', with ${driver.call}).`,
    )
  }
  const connection = open(db.name, db)
  const closers = state.besides.get(db)
  const closer = () => close(connection)
  if (closers) closers.push(closer)
  else state.besides.set(db, [closer])
  return connection
}

/**
 * Closes what other drivers opened on a test's database, before the database closes. Returns
 * a promise only when one of them closes asynchronously; every one is closed even when one fails.
 */
export function closingDatabase(db: Database): Promise<void> | undefined {
  const closers = state.besides.get(db)
  if (!closers) return undefined
  state.besides.delete(db)
  const pending: Promise<unknown>[] = []
  for (const closer of closers) {
    try {
      const closing = closer()
      if (closing) pending.push(closing)
    } catch (error) {
      pending.push(Promise.reject(error))
    }
  }
  if (pending.length === 0) return undefined
  return Promise.allSettled(pending).then((results) => {
    const failed = results.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  })
}

/**
 * The pragmas of a file clone made on request in memory mode: foreign keys on, nothing else.
 * Not file mode's `journal_mode = MEMORY` and `synchronous = OFF`: setting either makes SQLite
 * read the schema (~0.3 ms on the benchmark's 40 tables), on a connection the test may never use.
 */
export const requestedFilePragmas: Readonly<Record<string, PragmaValue>> = { foreign_keys: true }
