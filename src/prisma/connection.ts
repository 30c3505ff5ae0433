import type BetterSqlite3 from 'better-sqlite3'
import { CrossTestError, LateWorkError } from '../core/base/index.js'
import { ownerHere, ownerName, refuse, scopeOfOwner, type TestScope } from '../core/lifecycle/index.js'
import type { AdapterConnection } from './official.js'

type Statement = BetterSqlite3.Statement<unknown[], unknown>

const savepoint = 'sqlite_fixtures_prisma'

/** A statement-shaped stand-in for the transaction control statements Prisma's adapter sends. */
function control(run: () => void): Statement {
  const statement = {
    reader: false,
    bind: () => statement,
    run: () => {
      run()
      return { changes: 0, lastInsertRowid: 0 }
    },
  }
  return statement as unknown as Statement
}

/**
 * The connection Prisma's own adapter gets for one test: that test's database. Prisma's
 * factory turns safe integers on for its whole connection; here it is done per statement,
 * so the test's `ctx.db` keeps returning plain numbers. Closing is the plugin's job.
 *
 * Prisma runs some queries later than the call that asked for them (its request batches,
 * its transaction timers): a query of this test that runs while another test is current,
 * or after this test ended, is refused, never run on another test's database. A rollback
 * after the end has nothing left to undo (the database went with the test): it does nothing.
 *
 * Under isolation 'savepoint' the test's database is already in a transaction: Prisma's
 * `BEGIN` would fail, so its transactions become a savepoint, released on `COMMIT` and
 * rolled back on `ROLLBACK`, nested in the test's and rolled back with it.
 */
export function testConnection(scope: TestScope): AdapterConnection {
  const db = scope.get('db')
  const checked = () => {
    if (scope.ended) {
      throw scope.refuse(
        new LateWorkError(
          `sqlite-fixtures: Prisma ran a query of test "${scope.test.name}" after that test ended: it was refused. ` +
            'Await every Prisma call the test starts (and its $transaction) before the test returns.',
        ),
      )
    }
    const here = ownerHere()
    if (here !== undefined && scopeOfOwner(here) !== scope) {
      throw refuse(
        new CrossTestError(
          `sqlite-fixtures: Prisma ran a query of test "${scope.test.name}" from the work of ${ownerName(here)}. ` +
            "Please report it with your @prisma/client version: this layer keeps each test's Prisma work in its own test.",
        ),
      )
    }
    return db
  }
  const nested = db.inTransaction
  let open = false
  return {
    prepare: (source) => {
      if (source === 'ROLLBACK' && scope.ended) return control(() => {})
      if (nested && source === 'BEGIN') {
        return control(() => {
          checked().exec(`SAVEPOINT ${savepoint}`)
          open = true
        })
      }
      if (open && (source === 'COMMIT' || source === 'ROLLBACK')) {
        return control(() => {
          open = false
          checked().exec(source === 'COMMIT' ? `RELEASE ${savepoint}` : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`)
        })
      }
      return checked().prepare(source).safeIntegers(true)
    },
    exec: (source) => checked().exec(source),
    close: () => undefined,
  }
}
