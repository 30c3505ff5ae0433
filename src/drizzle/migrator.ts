import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { drizzleOver } from './database.js'
import { migratorModule } from './orm.js'
import { DrizzleMigrationError } from './errors.js'
import { findFailingStatement, reason } from './failure.js'
import { checkReadable, readMigrationsFolder, shown, type DrizzleMigration, type MigrationsFolder } from './migrations.js'
import { checkOptions } from './options.js'
import type { DrizzleDatabase } from './types.js'
import { openScratch } from '../core/driver/index.js'

export interface DrizzleMigratorOptions {
  /** The folder drizzle-kit writes migrations to, as for `drizzleLayer()`. */
  migrationsFolder: string
  /** The table Drizzle records applied migrations in. Default `__drizzle_migrations`. */
  migrationsTable?: string
}

/**
 * Drizzle's migrator on its own fresh, empty in-memory database (foreign keys on), one
 * migration at a time, for data-migration tests: migrate to a point, insert data, migrate
 * on, check the data.
 */
export interface DrizzleMigrator {
  /** The database the migrations run on. */
  readonly db: Database.Database
  /** A Drizzle database on `db` (untyped: the schema changes as you migrate). */
  readonly drizzle: DrizzleDatabase<unknown>
  /** Names of the applied migrations, in order: journal tags (0.x) or folder names (1.x). */
  applied(): string[]
  /** Names of the migrations not yet applied, in the order they will run. */
  pending(): string[]
  /** Applies the pending migrations up to and including `name`. */
  upTo(name: string): void
  /** Applies every pending migration. */
  upToLatest(): void
  /** Closes the database. */
  close(): void
}

/**
 * A copy of the folder holding only its first `count` migrations, in its own format, so that
 * Drizzle's own `migrate()` applies exactly the next one. Removed by the caller.
 */
function prefixFolder(folder: MigrationsFolder, count: number): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-drizzle-'))
  const kept = folder.migrations.slice(0, count)
  if (folder.format === 'journal') {
    const journal = JSON.parse(folder.journal ?? '{}') as { entries: unknown[] }
    fs.mkdirSync(path.join(copy, 'meta'))
    fs.writeFileSync(path.join(copy, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }))
    for (const migration of kept) fs.writeFileSync(path.join(copy, path.basename(migration.file)), migration.sql)
  } else {
    for (const migration of kept) {
      fs.mkdirSync(path.join(copy, migration.name))
      fs.writeFileSync(path.join(copy, migration.name, 'migration.sql'), migration.sql)
    }
  }
  return copy
}

/** Why `migration` failed: replayed inside a savepoint that is rolled back, so `db` is left as it was. */
function failure(db: Database.Database, migration: DrizzleMigration, error: unknown): DrizzleMigrationError {
  db.exec('savepoint sqlite_fixtures_replay')
  let found: ReturnType<typeof findFailingStatement>
  try {
    found = findFailingStatement(db, [migration])
  } finally {
    db.exec('rollback to sqlite_fixtures_replay; release sqlite_fixtures_replay')
  }
  const where = found ? `${found.location.file}:${found.location.line}` : shown(migration.file)
  return new DrizzleMigrationError(
    `sqlite-fixtures: Drizzle migration ${migration.name} failed, at ${where}: ${reason(found ? found.error : error)}` +
      (found ? `\n  in statement: ${found.location.statement}` : ''),
    { cause: error },
  )
}

/** Opens Drizzle's migrator on a fresh in-memory database; nothing is applied yet. */
export function migrator(options: DrizzleMigratorOptions): DrizzleMigrator {
  const { migrationsFolder, migrationsTable } = checkOptions('migrator()', options, ['migrationsFolder', 'migrationsTable'])
  if (migrationsFolder === undefined) throw new DrizzleMigrationError('sqlite-fixtures: migrator() needs the option "migrationsFolder".')
  const folder = checkReadable(readMigrationsFolder(migrationsFolder))
  const names = folder.migrations.map((migration) => migration.name)
  const db = openScratch()
  const drizzle = drizzleOver<unknown>(db, {})
  let applied = 0

  const applyNext = () => {
    const migration = folder.migrations[applied] as DrizzleMigration
    const prefix = prefixFolder(folder, applied + 1)
    try {
      migratorModule().migrate(drizzle, { migrationsFolder: prefix, migrationsTable })
    } catch (error) {
      throw failure(db, migration, error)
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true })
    }
    applied += 1
  }

  return {
    db,
    drizzle,
    applied: () => names.slice(0, applied),
    pending: () => names.slice(applied),
    upTo(name) {
      // A journal tag is also its file name without `.sql`: take either.
      const wanted = names.includes(name) ? name : name.replace(/\.sql$/, '')
      const index = names.indexOf(wanted)
      if (index === -1 || index < applied) {
        const state = index === -1 ? `no migration in ${shown(folder.folder)} is named "${name}"` : `"${name}" is already applied`
        throw new DrizzleMigrationError(
          `sqlite-fixtures: migrator().upTo(): ${state}. Pending: ${names.slice(applied).join(', ') || 'none'}` +
            (applied > 0 ? `; applied: ${names.slice(0, applied).join(', ')}.` : '.'),
        )
      }
      while (applied <= index) applyNext()
    },
    upToLatest() {
      while (applied < names.length) applyNext()
    },
    close() {
      db.close()
    },
  }
}
