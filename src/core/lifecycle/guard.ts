import { CrossTestError, type LayerTestInfo } from '../base/index.js'
import { ownerHere, ownerName, refuse, scopeOfOwner } from './owner.js'

/**
 * The check run before each statement on a test's database: the statement must come from
 * that test's own work (or from no one's: the plugin's teardown, code that holds the
 * connection itself). Work another test started is refused, and so is the test's own once
 * it has ended (a connection kept across tests, isolation 'savepoint', outlives its test).
 */
export function ownedBy(test: LayerTestInfo): () => void {
  return () => {
    const here = ownerHere()
    if (here === undefined) return
    const scope = scopeOfOwner(here)
    if (scope?.ended) throw scope.refuse(scope.lateWork())
    if (scope?.test === test) return
    throw refuse(
      new CrossTestError(
        `sqlite-fixtures: ${ownerName(here)} ran a statement on the database of test "${test.name}". Each test's ` +
          "database is its own: reach the running test's database through currentDb() or testDatabase(), not " +
          "through a connection another test handed over.",
      ),
      here,
    )
  }
}
