import type Database from 'better-sqlite3'
import { SqliteFixturesError } from '../base/index.js'
import { statementLogOf } from '../diagnostics/index.js'
import type { Clone } from './clone.js'

const savepoint = 'sqlite_fixtures_test'

/** Runs the lease's own statements unrecorded and unguarded: they belong to no test. */
function runOwn(db: Database.Database, sql: string): void {
  const log = statementLogOf(db)
  if (log) log.paused(() => db.exec(sql))
  else db.exec(sql)
}

/** The connection's methods that change how it behaves for every later statement: a rollback undoes none of them. */
const settingMethods = ['function', 'aggregate', 'table', 'loadExtension', 'defaultSafeIntegers', 'unsafeMode'] as const

/**
 * Notes, on `db` itself, each call that changes the connection for later tests (a function
 * registered, safe integers turned on): `changed()` tells whether one was made since the
 * last `reset()`. The connection stays better-sqlite3's own object.
 */
function watchSettings(db: Database.Database): { changed(): boolean; reset(): void } {
  let changed = false
  for (const name of settingMethods) {
    const method = db[name] as (...args: unknown[]) => unknown
    Object.defineProperty(db, name, {
      configurable: true,
      writable: true,
      value(this: Database.Database, ...args: unknown[]) {
        changed = true
        return method.apply(this, args)
      },
    })
  }
  return { changed: () => changed, reset: () => void (changed = false) }
}

/**
 * Isolation by rollback, for templates too large to copy per test: one clone, opened on
 * first use and kept, and each test runs inside a savepoint that is rolled back after it.
 * Its cost does not grow with the template. It cannot isolate what escapes the savepoint:
 * a raw `BEGIN` in the code under test fails (a transaction is already open), and a
 * `COMMIT`/`RELEASE` that ends it makes the test's writes permanent, so the connection is
 * then dropped and the next test gets a fresh clone. So is a connection whose settings a
 * test changed (a pragma, a function it registered, safe integers): a rollback keeps them.
 */
export class SavepointLease {
  readonly #open: () => Clone
  #clone: Clone | undefined
  #settings: { changed(): boolean; reset(): void } | undefined
  #holder: string | undefined

  constructor(open: () => Clone) {
    this.#open = open
  }

  /** Lends the kept connection to one test, inside a fresh savepoint. */
  acquire(test: string): Clone {
    if (this.#holder !== undefined) {
      throw new SqliteFixturesError(
        `sqlite-fixtures: tests "${this.#holder}" and "${test}" run at the same time, but isolation ` +
          "'savepoint' shares one connection and can serve one test at a time. Drop .concurrent, or use isolation 'clone'.",
        'SQLITE_FIXTURES_SAVEPOINT_BUSY',
      )
    }
    if (!this.#clone) {
      this.#clone = this.#open()
      this.#settings = watchSettings(this.#clone.db)
    }
    const clone = this.#clone
    runOwn(clone.db, `SAVEPOINT ${savepoint}`)
    this.#holder = test
    return {
      db: clone.db,
      file: clone.file,
      dispose: () => this.#release(clone),
      // What the plugin sets up on the connection (the handle's functions) is not the test's change.
      begin: () => this.#settings?.reset(),
      kept: true,
      keep: () => {
        const file = clone.keep()
        this.#clone = undefined
        this.#holder = undefined
        return file
      },
    }
  }

  #release(clone: Clone): void {
    this.#holder = undefined
    const settingChanged = this.#settings?.changed() === true || statementLogOf(clone.db)?.settingChanged === true
    if (clone.db.open && clone.db.inTransaction && !settingChanged) {
      try {
        runOwn(clone.db, `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`)
        return
      } catch {
        // The test left the savepoint in a state that cannot be rolled back: start afresh.
      }
    }
    // The savepoint is gone (committed or released by the test), so its writes may have
    // stuck, or the test changed the connection's settings: the next test gets a fresh one.
    clone.dispose()
    this.#clone = undefined
  }

  /** Closes the kept connection. */
  close(): void {
    this.#clone?.dispose()
    this.#clone = undefined
  }
}
