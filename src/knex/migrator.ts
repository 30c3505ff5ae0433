import path from 'node:path'
import type Database from 'better-sqlite3'
import type { Knex } from 'knex'
import { type FileMigrator, importProjectModule, lineIn, type ModuleImport, pendingFile } from '../core/base/index.js'
import { openScratch } from '../core/driver/index.js'
import { KnexLayerError, KnexMigrationError } from './errors.js'
import { makeKnex, quietLog } from './orm.js'
import { type Failure, knexExtensions, knexFiles, migrationSource } from './sources.js'

export interface KnexMigratorOptions {
  /** The folder of your Knex migrations: absolute, or relative to the current directory. */
  directory: string
  /** The table Knex records applied migrations in. Default `knex_migrations`. */
  tableName?: string
  /** The file extensions Knex loads. Default Knex's own list. */
  loadExtensions?: readonly string[]
  /** How migration files load. Default: as the test runner loads test code (TypeScript too). */
  import?: ModuleImport
}

/**
 * Knex's own migrator on a fresh, empty in-memory database (foreign keys on), one migration
 * at a time, for data-migration tests: migrate to a point, insert rows with the schema of that
 * point, migrate on, and check what became of them.
 */
export interface KnexMigrator extends FileMigrator {
  /** The database the migrations run on (better-sqlite3). */
  readonly db: Database.Database
  /** A Knex (client better-sqlite3) on `db`. */
  readonly knex: Knex
}

/**
 * A Knex on `db` (client better-sqlite3): Knex's pool opens nothing, every query runs on `db`.
 * Its async stack traces put a failing migration query's line in the error.
 */
function knexOn(db: Database.Database): Knex {
  const knex = makeKnex({ client: 'better-sqlite3', useNullAsDefault: true, log: quietLog, asyncStackTraces: true })
  const client = knex.client as { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> }
  client.acquireConnection = async () => db
  client.releaseConnection = async () => {}
  return knex
}

/** Opens Knex's migrator on a fresh in-memory database; nothing is applied yet. */
export async function migrator(options: KnexMigratorOptions): Promise<KnexMigrator> {
  if (typeof options?.directory !== 'string' || options.directory === '') {
    throw new KnexLayerError('sqlite-fixtures: migrator() needs the option "directory": your Knex migrations folder.')
  }
  const folder = path.resolve(options.directory)
  const extensions = options.loadExtensions ?? knexExtensions
  const names = knexFiles(folder, extensions, 'migration')
  const failure: { current?: Failure } = {}
  const config: Knex.MigratorConfig = {
    migrationSource: migrationSource(folder, extensions, options.import ?? importProjectModule, failure),
    tableName: options.tableName ?? 'knex_migrations',
  }
  const db = openScratch()
  const knex = knexOn(db)
  const run = async (step: () => Promise<unknown>) => {
    failure.current = undefined
    try {
      await step()
    } catch (error) {
      const failed = failure.current as Failure | undefined
      const cause = failed?.error ?? error
      const line = failed && lineIn(cause, failed.file)
      const where = failed ? `${path.basename(failed.file)}${line === undefined ? '' : ` (line ${line})`}` : folder
      throw new KnexMigrationError(`sqlite-fixtures: Knex migration ${where} failed: ${cause instanceof Error ? cause.message : String(cause)}`, failed && path.basename(failed.file), {
        cause,
      })
    }
  }
  const applied = async () => ((await knex.migrate.list(config)) as [{ name: string }[], unknown[]])[0].map((done) => done.name)
  const pending = async () => {
    const done = await applied()
    return names.filter((name) => !done.includes(name))
  }
  return {
    db,
    knex,
    applied,
    pending,
    async upTo(name) {
      const found = pendingFile(names, await pending(), name, folder)
      if ('problem' in found) throw new KnexMigrationError(found.problem, name)
      while (!(await applied()).includes(found.file)) await run(() => knex.migrate.up(config))
    },
    upToLatest: () => run(() => knex.migrate.latest(config)),
    down: () => run(() => knex.migrate.down(config)),
    async close() {
      await knex.destroy()
      db.close()
    },
  }
}
