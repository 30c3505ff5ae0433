import { CrossTestError } from '../base/index.js'
import { ownerHere, ownerName, refuse, scopeOfOwner } from './owner.js'
import type { TestScope } from './scope.js'

/** How a refusal says the thing was made, and what to do instead. */
export interface OwnWorkWording {
  readonly made: string
  readonly advice: string
}

const opened: OwnWorkWording = { made: 'opened', advice: 'Open one in each test.' }

/**
 * Refuses work on something a test opened (a transaction, a prepared statement, a
 * connection of its own) unless the work is that test's, while it runs: from another test's
 * work, a `CrossTestError` names both and fails the test that reached for it (whether or not
 * the opening test has ended: that test left nothing running); work the opening test itself
 * left running after it ended, or work no test runs for, is late work of the opening test.
 * Code that no test owns (the plugin's own teardown) may use it. Throws to refuse.
 */
export function checkOwnWork(scope: TestScope, thing: string, how: OwnWorkWording = opened): void {
  const here = ownerHere()
  const hereScope = here === undefined ? undefined : scopeOfOwner(here)
  if (here !== undefined && hereScope !== scope) {
    // Work of a test that has itself ended is that test's late work, whatever it reached for.
    if (hereScope?.ended) throw hereScope.refuse(hereScope.lateWork())
    throw refuse(
      new CrossTestError(
        `sqlite-fixtures: ${thing} ${how.made} in test "${scope.test.name}" was used by ${ownerName(here)}. ` +
          `It was refused: it belongs to the test that ${how.made} it. ${how.advice}`,
      ),
      here,
    )
  }
  if (scope.ended) throw scope.refuse(scope.lateWork())
}
