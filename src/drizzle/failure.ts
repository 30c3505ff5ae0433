import type { Database } from 'better-sqlite3'
import { type LibsqlConnection, lineAt, SchemaError, type StatementLocation } from '../core/base/index.js'
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

/** A failing statement of a migration, and why it failed. */
interface FailingStatement {
  readonly migration: DrizzleMigration
  readonly location: StatementLocation
  readonly error: unknown
}

/** Every statement of the migrations, in the order Drizzle runs them, with where it is. */
function* migrationStatements(migrations: readonly DrizzleMigration[]): Iterable<{ migration: DrizzleMigration; sql: string; location: StatementLocation }> {
  for (const migration of migrations) {
    for (const statement of statementsOf(migration)) {
      yield { migration, sql: statement.sql, location: { file: shown(migration.file), line: statement.line, statement: statement.sql.trim() } }
    }
  }
}

/** The statement that fails, and why, when the migrations run one statement at a time on `db`. */
export function findFailingStatement(db: Database, migrations: readonly DrizzleMigration[]): FailingStatement | undefined {
  for (const { migration, sql, location } of migrationStatements(migrations)) {
    try {
      // As Drizzle's session runs each piece: one prepared statement.
      db.prepare(sql).run()
    } catch (error) {
      return { migration, location, error }
    }
  }
  return undefined
}

/** The same, on a libSQL client, inside a transaction rolled back after (the client is the template's). */
async function findFailingStatementWithLibsql(client: LibsqlConnection, migrations: readonly DrizzleMigration[]): Promise<FailingStatement | undefined> {
  await client.execute('BEGIN')
  try {
    for (const { migration, sql, location } of migrationStatements(migrations)) {
      try {
        await client.execute(sql)
      } catch (error) {
        return { migration, location, error }
      }
    }
    return undefined
  } finally {
    // SQLite ends the transaction itself on some errors: then there is nothing to roll back.
    await client.execute('ROLLBACK').catch(() => undefined)
  }
}

/**
 * A statement only libSQL runs: drizzle-kit's `turso` dialect writes `ALTER TABLE ... ALTER
 * COLUMN ... TO ...` where SQLite needs a table rebuild.
 */
const libsqlOnlyStatement = /\bALTER\s+TABLE\s+\S+\s+ALTER\s+COLUMN\b/i

/** What to do about a failing migration statement, for the driver that ran it. */
function advice(statement: string, driver: 'better-sqlite3' | 'libsql'): string {
  if (driver === 'better-sqlite3' && libsqlOnlyStatement.test(statement)) {
    return (
      "  This is libSQL's own SQL (drizzle-kit's 'turso' dialect writes it), which SQLite does not run, and generating the " +
      "migration again writes it again: build the template with libSQL, option driver: 'libsql' (your app's @libsql/client)."
    )
  }
  return '  Fix the migration (or generate it again with drizzle-kit), and run the tests again.'
}

function failureAt(found: FailingStatement, error: unknown, driver: 'better-sqlite3' | 'libsql'): SchemaError {
  const { location } = found
  return new SchemaError(
    `sqlite-fixtures: Drizzle migration ${found.migration.name} failed while building the template${driver === 'libsql' ? ' with libSQL' : ''}, at ` +
      `${location.file}:${location.line}: ${reason(found.error)}\n` +
      `  in statement: ${location.statement}\n${advice(location.statement, driver)}`,
    location,
    { cause: error },
  )
}

function unlocated(folder: string, error: unknown): SchemaError {
  return new SchemaError(`sqlite-fixtures: Drizzle's migrate() failed on ${shown(folder)} while building the template: ${reason(error)}`, undefined, {
    cause: error,
  })
}

/**
 * Explains a failed `migrate()` of Drizzle's libSQL migrator on the template: the migrations
 * are replayed statement by statement on the same client, in a transaction rolled back after
 * (the migrator's own transaction left the database as it was before them).
 */
export async function libsqlMigrationFailure(folder: string, migrations: readonly DrizzleMigration[], error: unknown, client: LibsqlConnection): Promise<SchemaError> {
  const found = await findFailingStatementWithLibsql(client, migrations)
  return found ? failureAt(found, error, 'libsql') : unlocated(folder, error)
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
  return found ? failureAt(found, error, 'better-sqlite3') : unlocated(folder, error)
}
