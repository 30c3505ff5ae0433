import { CrossTestError, type LayerTestInfo } from '../base/index.js'
import { isPluginWork, ownerHere, ownerName, refuse, scopeOfOwner } from './owner.js'

/**
 * The check run before each statement on a test's database: the statement must come from
 * that test's own work, or from the plugin's own (its set-up and teardown). Work another test
 * started is refused, and so is the test's own once it has ended. On a connection kept across
 * tests (`kept`: isolation 'savepoint', which outlives its test), so is work no test owns: a
 * timer or an interval started at import time that holds a connection a test handed over
 * would otherwise write into whichever test holds the connection then. (A connection of one
 * test's own is closed with it, so such work cannot reach another test's rows.)
 */
export function ownedBy(test: LayerTestInfo, kept = false): () => void {
  return () => {
    if (isPluginWork()) return
    const here = ownerHere()
    if (here === undefined) {
      if (!kept) return
      throw refuse(
        new CrossTestError(
          `sqlite-fixtures: a statement reached the connection isolation 'savepoint' keeps across tests, while test ` +
            `"${test.name}" holds it, from code that no test runs for (a timer or an interval started at import ` +
            'time, a queue flushed by a loop of its own) holding a connection a test handed over. It was refused: ' +
            "nothing was written. Reach the running test's database through currentDb() or testDatabase() from " +
            "the test's own code.",
        ),
      )
    }
    const scope = scopeOfOwner(here)
    if (scope?.ended) throw scope.refuse(scope.lateWork())
    if (scope?.test === test) return
    throw refuse(
      new CrossTestError(
        `sqlite-fixtures: ${ownerName(here)} ran a statement on the database of test "${test.name}". Each test's ` +
          "database is its own: reach the running test's database through currentDb() or testDatabase(), not " +
          'through a connection another test handed over.',
      ),
      here,
    )
  }
}
