import { CrossTestError } from '../base/index.js'
import { ownerHere, ownerName, refuse, scopeOfOwner } from './owner.js'
import type { TestScope } from './scope.js'

/**
 * Refuses work on something a test opened (a transaction, a prepared statement, a
 * connection of its own) unless the work is that test's, while it runs: after the test
 * ended, the late work is refused; from another test's work, a `CrossTestError` names both.
 * Code that no test owns (the plugin's own teardown) may use it. Throws to refuse.
 */
export function checkOwnWork(scope: TestScope, thing: string): void {
  if (scope.ended) throw scope.refuse(scope.lateWork())
  const here = ownerHere()
  if (here !== undefined && scopeOfOwner(here) !== scope) {
    throw refuse(
      new CrossTestError(
        `sqlite-fixtures: ${thing} opened in test "${scope.test.name}" was used by ${ownerName(here)}. ` +
          'It belongs to the test that opened it: open one in each test.',
      ),
    )
  }
}
