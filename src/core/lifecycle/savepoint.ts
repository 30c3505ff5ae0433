import type { Clone } from './clone.js'
import { SqliteFixturesError } from '../base/index.js'

const savepoint = 'sqlite_fixtures_test'

/**
 * Isolation by rollback, for templates too large to copy per test: one clone, opened on
 * first use and kept, and each test runs inside a savepoint that is rolled back after it.
 * Its cost does not grow with the template. It cannot isolate what escapes the savepoint:
 * a raw `BEGIN` in the code under test fails (a transaction is already open), and a
 * `COMMIT`/`RELEASE` that ends it makes the test's writes permanent, so the connection is
 * then dropped and the next test gets a fresh clone.
 */
export class SavepointLease {
  readonly #open: () => Clone
  #clone: Clone | undefined
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
    const clone = (this.#clone ??= this.#open())
    clone.db.exec(`SAVEPOINT ${savepoint}`)
    this.#holder = test
    return {
      db: clone.db,
      file: clone.file,
      dispose: () => this.#release(clone),
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
    if (clone.db.open && clone.db.inTransaction) {
      try {
        clone.db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`)
        return
      } catch {
        // The test left the savepoint in a state that cannot be rolled back: start afresh.
      }
    }
    // The savepoint is gone (committed or released by the test): its writes may have stuck.
    clone.dispose()
    this.#clone = undefined
  }

  /** Closes the kept connection. */
  close(): void {
    this.#clone?.dispose()
    this.#clone = undefined
  }
}
