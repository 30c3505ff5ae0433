import type { Database } from 'better-sqlite3'
import { type LayerTestInfo, numberedStatements, SqliteFixturesError } from '../base/index.js'
import { statementLogOf } from './sql-log.js'

/**
 * What the plugin knows about a failed test's database: the statements it ran last and
 * where its database was kept. Delivered as an error of its own, which the runner adds to
 * the test's failure, so it shows beside the assertion in every reporter; it has no stack,
 * as no line of the test threw it.
 */
export class TestDatabaseReport extends SqliteFixturesError {
  constructor(message: string) {
    super(message, 'SQLITE_FIXTURES_REPORT')
    this.stack = `${this.name}: ${message}`
  }
}

/** Sections waiting for the end of their test, by test. */
const pending = new WeakMap<LayerTestInfo, string[]>()

/** Adds sections to the report of a failed test, delivered when its scope is disposed. */
export function addToFailureReport(test: LayerTestInfo, sections: readonly string[]): void {
  if (sections.length === 0) return
  pending.set(test, [...(pending.get(test) ?? []), ...sections])
}

/** Whether a report waits for `test` (`takeFailureReport()` would return one). */
export function hasFailureReport(test: LayerTestInfo): boolean {
  return pending.has(test)
}

/** The report of a failed test, if a layer added to it; it is handed out once. */
export function takeFailureReport(test: LayerTestInfo): TestDatabaseReport | undefined {
  const sections = pending.get(test)
  if (!sections) return undefined
  pending.delete(test)
  return new TestDatabaseReport(`sqlite-fixtures: about the database of "${test.name}":\n${sections.join('\n')}`)
}

/** The section that lists the last statements a test's connection ran, if it has a log. */
export function statementsSection(db: Database): string[] {
  const log = statementLogOf(db)
  if (!log) return []
  const { statements, total } = log.recent()
  // A test that failed before its first statement gets no section: there is nothing to show.
  if (statements.length === 0) return []
  const which =
    statements.length === total
      ? `the ${total === 1 ? 'statement' : `${total} statements`} it ran`
      : `the last ${statements.length} of the ${total} statements it ran`
  return [`${which}, oldest first:\n${numberedStatements(statements, undefined, total - statements.length + 1)}`]
}

/** The section that says where a failed test's database was kept. */
export function keptSection(file: string): string {
  return `kept its database: ${file}\n  open it with: sqlite3 ${file}`
}
