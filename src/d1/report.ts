import { numberedStatements, SqliteFixturesError } from '../core/base/index.js'
import type { Owner } from './ownership.js'

/**
 * What the plugin knows about a failed test's D1 databases: the statements its calls ran
 * last, as the other stacks' report of a failed test says them. Thrown after the test, so the
 * runner adds it to the test's failure; it has no stack, as no line of the test threw it.
 */
export function failureReport(owner: Owner): SqliteFixturesError {
  const { statements, total } = owner
  const which = statements.length === total ? `the ${total === 1 ? 'statement' : `${total} statements`} it ran` : `the last ${statements.length} of the ${total} statements it ran`
  const message = `sqlite-fixtures: about the D1 databases of "${owner.name}":\n${which}, oldest first:\n${numberedStatements(statements, undefined, total - statements.length + 1)}`
  const report = new SqliteFixturesError(message, 'SQLITE_FIXTURES_REPORT')
  report.name = 'TestDatabaseReport'
  report.stack = `${report.name}: ${message}`
  return report
}
