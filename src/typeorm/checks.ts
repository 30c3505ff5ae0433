import type Database from 'better-sqlite3'
import { DataSource, MigrationExecutor, type Migration } from 'typeorm'
import { connectionTo } from './connection.js'
import { MigrationCheckError } from './errors.js'
import { describeDifference, schemaShape } from './schema.js'
import { openScratch } from '../core/driver/index.js'

export interface MigrationCheckOptions {
  /** Your DataSource (its options are copied; it is not connected or changed). */
  dataSource: DataSource
}

/**
 * A migration runner on its own fresh, empty in-memory database (foreign keys on), for
 * data-migration tests: migrate to a point, insert data, migrate on, check the data.
 */
export interface Migrator {
  /** The database the migrations run on. */
  readonly db: Database.Database
  /** A DataSource with your entities, connected to `db`. */
  readonly dataSource: DataSource
  /** Names of the migrations not yet applied, in the order they will run. */
  pending(): Promise<string[]>
  /** Applies pending migrations up to and including `name`. */
  upTo(name: string): Promise<void>
  /** Applies every pending migration. */
  upToLatest(): Promise<void>
  /** Reverts the last applied migration. */
  down(): Promise<void>
  /** Closes the database. */
  close(): Promise<void>
}

/** Opens a migrator on a fresh database. */
export async function migrator(options: MigrationCheckOptions): Promise<Migrator> {
  const db = openScratch()
  const source = options.dataSource.options
  if (source.type !== 'better-sqlite3') {
    throw new MigrationCheckError(`sqlite-fixtures: migration checks need a DataSource of type 'better-sqlite3', got '${source.type}'.`)
  }
  const dataSource = new DataSource({
    ...source,
    database: ':memory:',
    driver: connectionTo(db),
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    logging: false,
  })
  await dataSource.initialize()
  const executor = new MigrationExecutor(dataSource)
  executor.transaction = 'each'
  const pending = () => executor.getPendingMigrations()
  const apply = async (migration: Migration) => {
    try {
      await executor.executeMigration(migration)
    } catch (error) {
      throw new MigrationCheckError(
        `sqlite-fixtures: migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
  }
  return {
    db,
    dataSource,
    pending: async () => (await pending()).map((m) => m.name),
    async upTo(name) {
      const migrations = await pending()
      const index = migrations.findIndex((m) => m.name === name)
      if (index === -1) {
        throw new MigrationCheckError(
          `sqlite-fixtures: no pending migration is named ${name}. Pending: ${migrations.map((m) => m.name).join(', ') || 'none'}.`,
        )
      }
      for (const migration of migrations.slice(0, index + 1)) await apply(migration)
    },
    async upToLatest() {
      for (const migration of await pending()) await apply(migration)
    },
    async down() {
      await executor.undoLastMigration()
    },
    async close() {
      await dataSource.destroy()
    },
  }
}

/**
 * Checks, as pytest-alembic does, that every migration applies on an empty database in
 * order, and that each one's `down` undoes its `up` (the schema after up + down equals the
 * schema before). Throws `MigrationCheckError` naming the migration and what differs.
 */
export async function checkMigrations(options: MigrationCheckOptions): Promise<void> {
  const m = await migrator(options)
  try {
    const names = await m.pending()
    if (names.length === 0) throw new MigrationCheckError('sqlite-fixtures: the DataSource has no migrations to check.')
    for (const name of names) {
      const before = schemaShape(m.db)
      await m.upTo(name)
      try {
        await m.down()
      } catch (error) {
        throw new MigrationCheckError(
          `sqlite-fixtures: migration ${name}: down failed after up: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        )
      }
      const difference = describeDifference(before, schemaShape(m.db))
      if (difference.length > 0) {
        throw new MigrationCheckError(
          `sqlite-fixtures: migration ${name}: down does not undo up. After up and down, compared with before:\n` +
            difference.map((line) => `  ${line}`).join('\n'),
        )
      }
      await m.upTo(name)
    }
  } finally {
    await m.close()
  }
}

/**
 * Checks that the entities match the migrated schema: after every migration, TypeORM's own
 * schema diff must be empty. Fails with the DDL the migrations are missing. `ignore` drops
 * queries TypeORM reports falsely (strings contained in the query, or patterns).
 */
export async function checkEntitiesMatchSchema(
  options: MigrationCheckOptions & { ignore?: readonly (string | RegExp)[] },
): Promise<void> {
  const m = await migrator(options)
  try {
    await m.upToLatest()
    const { upQueries } = await m.dataSource.driver.createSchemaBuilder().log()
    const ignored = (query: string) =>
      (options.ignore ?? []).some((rule) => (typeof rule === 'string' ? query.includes(rule) : rule.test(query)))
    const missing = upQueries.map((q) => q.query).filter((query) => !ignored(query))
    if (missing.length > 0) {
      throw new MigrationCheckError(
        'sqlite-fixtures: the entities do not match the migrated schema. A migration is missing this DDL:\n' +
          missing.map((query) => `  ${query};`).join('\n'),
      )
    }
  } finally {
    await m.close()
  }
}
