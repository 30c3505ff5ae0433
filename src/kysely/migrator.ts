import type Database from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { KyselyMigrationError } from './errors.js'
import { failureOf } from './failure.js'
import { kyselyOn } from './kysely-on.js'
import { migratorClass, type MigrationResultSet } from './migrator-class.js'
import { migrationSource } from './source.js'
import type { KyselyMigrationOptions, RegisteredKyselyDatabase } from './types.js'
import { openScratch } from '../core/driver/index.js'

/** Options of `migrator()`: the same migrations as the layer's. */
export type KyselyMigratorOptions = KyselyMigrationOptions

/**
 * Kysely's `Migrator` on its own fresh, empty in-memory database (foreign keys on), for
 * data-migration tests: migrate to a named migration, insert data, migrate on, check it.
 * Each call throws a `KyselyMigrationError` naming the migration that failed, where
 * Kysely's own returns `{ error, results }`.
 */
export interface KyselyMigrator<DB = RegisteredKyselyDatabase> {
  /** The database the migrations run on (better-sqlite3). */
  readonly db: Database.Database
  /** A Kysely on `db`, with the options' plugins. Its type is the latest schema's: mid-way, use `db` or `sql`. */
  readonly kysely: Kysely<DB>
  /** Names of the migrations not yet applied, in the order they will run. */
  pending(): Promise<string[]>
  /** Names of the migrations applied, in order. */
  executed(): Promise<string[]>
  /** Migrates up (or down) to the named migration, as Kysely's `migrateTo`: it is applied, those after it are not. */
  migrateTo(name: string): Promise<void>
  /** Applies every pending migration. */
  migrateToLatest(): Promise<void>
  /** Reverts the last applied migration (its `down`). */
  migrateDown(): Promise<void>
  /** Closes the database. */
  close(): Promise<void>
}

/** Opens a migrator on a fresh database. */
export async function migrator<DB = RegisteredKyselyDatabase>(options: KyselyMigratorOptions): Promise<KyselyMigrator<DB>> {
  const source = migrationSource('migrator()', options)
  const Migrator = await migratorClass()
  const db = openScratch()
  const kysely = kyselyOn<DB>(db, options.plugins)
  const kyselyMigrator = new Migrator({ ...options.migratorProps, db: kysely as Kysely<unknown>, provider: source.provider })
  const all = async () => kyselyMigrator.getMigrations()
  const run = async (result: MigrationResultSet) => {
    const failure = failureOf(result, source)
    if (failure) {
      throw new KyselyMigrationError(`sqlite-fixtures: Kysely ${failure.where} failed: ${failure.reason}`, failure.migration, {
        cause: failure.error,
      })
    }
  }
  return {
    db,
    kysely,
    pending: async () => (await all()).filter((m) => m.executedAt === undefined).map((m) => m.name),
    executed: async () => (await all()).filter((m) => m.executedAt !== undefined).map((m) => m.name),
    async migrateTo(name) {
      const names = (await all()).map((m) => m.name)
      if (!names.includes(name)) {
        throw new KyselyMigrationError(
          `sqlite-fixtures: no Kysely migration is named "${name}". Migrations: ${names.join(', ') || 'none'}.`,
          name,
        )
      }
      await run(await kyselyMigrator.migrateTo(name))
    },
    migrateToLatest: async () => run(await kyselyMigrator.migrateToLatest()),
    migrateDown: async () => run(await kyselyMigrator.migrateDown()),
    async close() {
      await kysely.destroy()
      db.close()
    },
  }
}
