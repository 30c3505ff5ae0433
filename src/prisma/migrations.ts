import fs from 'node:fs'
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { folderEntries, SchemaError, SqliteFixturesConfigError, type StatementLocation, type TemplateStep } from '../core/base/index.js'
import { applyScript } from '../core/template/index.js'

/** One Prisma migration: `<migrations>/<name>/migration.sql`. */
export interface PrismaMigration {
  /** The folder name, e.g. `20250110093000_init`: Prisma applies migrations in this order. */
  readonly name: string
  readonly file: string
  /** The file as errors name it: relative to the project root. */
  readonly label: string
  readonly sql: string
}

/**
 * The migrations of a Prisma project, in the order Prisma applies them (folder names sort
 * by their timestamp prefix). Checks what Prisma's own `migrate deploy` would refuse.
 */
export function readMigrations(folder: string, root: string): PrismaMigration[] {
  const stat = fs.statSync(folder, { throwIfNoEntry: false })
  if (!stat?.isDirectory()) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: the Prisma migrations folder ${folder} does not exist. Give prismaLayer({ migrations }) the ` +
        'folder Prisma writes to (prisma/migrations by default, relative to the rootDir option), or create the first ' +
        'migration with `prisma migrate dev`. A project without migrations can write one from its schema with ' +
        '`prisma migrate diff --from-empty --to-schema prisma/schema.prisma --script > prisma/migrations/0_init/migration.sql`.',
    )
  }
  checkProvider(folder)
  // Symbolic links are followed, as Prisma follows them: a linked migration folder is applied.
  const migrations = folderEntries(folder, 'the Prisma migrations folder')
    .filter((entry) => entry.isDirectory)
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(folder, name, 'migration.sql')
      if (!fs.existsSync(file)) {
        throw new SqliteFixturesConfigError(
          `sqlite-fixtures: the Prisma migration folder ${path.join(folder, name)} has no migration.sql. ` +
            'Every folder under the migrations folder is a migration, as Prisma reads it: remove the folder or add its SQL.',
        )
      }
      return { name, file, label: path.relative(root, file).split(path.sep).join('/'), sql: fs.readFileSync(file, 'utf8') }
    })
  if (migrations.length === 0) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: the Prisma migrations folder ${folder} holds no migrations. Create one with \`prisma migrate dev\`, ` +
        'or from the schema with `prisma migrate diff --from-empty --to-schema prisma/schema.prisma --script > ' +
        'prisma/migrations/0_init/migration.sql`.',
    )
  }
  return migrations
}

/** Migrations written for another database would fail on SQLite in confusing ways: say so first. */
function checkProvider(folder: string): void {
  const lock = path.join(folder, 'migration_lock.toml')
  if (!fs.existsSync(lock)) return
  const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(fs.readFileSync(lock, 'utf8'))?.[1]
  if (provider !== undefined && provider !== 'sqlite') {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: the Prisma migrations in ${folder} are for provider "${provider}" (migration_lock.toml), ` +
        'but the test databases are SQLite. Point prismaLayer({ migrations }) at migrations made for provider "sqlite".',
    )
  }
}

/** Prisma heads each statement with a `-- CreateTable` comment: point at the statement itself. */
function located(location: StatementLocation | undefined): StatementLocation | undefined {
  if (!location) return undefined
  const comments = /^(?:--[^\n]*\n\s*)*/.exec(location.statement)?.[0] ?? ''
  return {
    file: location.file,
    line: location.line + (comments.match(/\n/g)?.length ?? 0),
    statement: location.statement.slice(comments.length),
  }
}

/**
 * Applies one migration: the whole script, outside a transaction, so the `PRAGMA
 * foreign_keys=OFF` of Prisma's table redefinitions takes effect (SQLite ignores it inside
 * one). A failure names the migration, the line and the statement.
 */
export function applyMigration(db: Database, migration: PrismaMigration, scratch: () => Database): void {
  try {
    applyScript(db, migration.sql, migration.label, scratch)
  } catch (error) {
    const location = error instanceof SchemaError ? located(error.location) : undefined
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
    throw new SchemaError(
      `sqlite-fixtures: Prisma migration ${migration.name} failed while building the template: ` +
        `${cause instanceof Error ? cause.message : String(cause)}\n` +
        `  at ${location ? `${location.file}:${location.line}: ${location.statement}` : migration.label}\n` +
        '  The migrations run in order on an empty database, as `prisma migrate deploy` runs them: fix this one, and run the tests again.',
      location,
      { cause: error },
    )
  } finally {
    // A migration that failed halfway may have left foreign keys off.
    if (db.open) db.pragma('foreign_keys = ON')
  }
}

/** The template steps of a migrations folder: one per migration, its SQL hashed into the cache key. */
export function migrationSteps(folder: string, root: string): TemplateStep[] {
  return readMigrations(folder, root).map((migration) => ({
    name: `prisma migration ${migration.name}`,
    fingerprint: migration.sql,
    files: [folder],
    apply: (db, scratch) => applyMigration(db, migration, scratch),
  }))
}
