import type { Database } from 'better-sqlite3'
import { lineAt, SchemaError, type StatementLocation } from '../core/base/index.js'
import { shown, statementBreakpoint, type DrizzleMigration } from './migrations.js'

/** A statement of a migration, as Drizzle runs it (the text between breakpoints), and where it starts. */
interface MigrationStatement {
  readonly sql: string
  readonly line: number
}

/** A migration's SQL split at Drizzle's breakpoints, each piece with the line its first word is on. */
function statementsOf(migration: DrizzleMigration): MigrationStatement[] {
  const statements: MigrationStatement[] = []
  let offset = 0
  for (const sql of migration.sql.split(statementBreakpoint)) {
    statements.push({ sql, line: lineAt(migration.sql, offset + (sql.length - sql.trimStart().length)) })
    offset += sql.length + statementBreakpoint.length
  }
  return statements
}

/** The statement that fails, and why, when the migrations run one statement at a time on `db`. */
export function findFailingStatement(
  db: Database,
  migrations: readonly DrizzleMigration[],
): { migration: DrizzleMigration; location: StatementLocation; error: unknown } | undefined {
  for (const migration of migrations) {
    for (const statement of statementsOf(migration)) {
      try {
        // As Drizzle's session runs each piece: one prepared statement.
        db.prepare(statement.sql).run()
      } catch (error) {
        return { migration, location: { file: shown(migration.file), line: statement.line, statement: statement.sql.trim() }, error }
      }
    }
  }
  return undefined
}

/** Why a statement failed: drizzle-orm 1.x wraps the driver's error in one whose message is the whole query. */
export function reason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * Explains a failed `migrate()` on the template: the migrations are replayed statement by
 * statement on `scratch` (the template as it was before them), so the error names the
 * migration file, the line and the statement at fault.
 */
export function migrationFailure(
  folder: string,
  migrations: readonly DrizzleMigration[],
  error: unknown,
  scratch: () => Database,
): SchemaError {
  let found: ReturnType<typeof findFailingStatement>
  const db = scratch()
  try {
    // In one transaction, as Drizzle's migrate() runs them: there a migration's
    // `PRAGMA foreign_keys=OFF` does nothing, so a table rebuild fails as it did.
    db.exec('BEGIN')
    found = findFailingStatement(db, migrations)
  } finally {
    db.close()
  }
  if (!found) {
    return new SchemaError(
      `sqlite-fixtures: Drizzle's migrate() failed on ${shown(folder)} while building the template: ${reason(error)}`,
      undefined,
      { cause: error },
    )
  }
  const { location } = found
  return new SchemaError(
    `sqlite-fixtures: Drizzle migration ${found.migration.name} failed while building the template, at ` +
      `${location.file}:${location.line}: ${reason(found.error)}\n` +
      `  in statement: ${location.statement}\n` +
      '  Fix the migration (or generate it again with drizzle-kit), and run the tests again.',
    location,
    { cause: error },
  )
}
