import fs from 'node:fs'
import path from 'node:path'
import type { Knex } from 'knex'
import { type JsonValue, lineIn, type MigrationSet, type MigrationSteps, type ModuleImport, SchemaError, type TemplateStep, unknownOption } from '../core/base/index.js'
import { KnexLayerError } from './errors.js'
import { knexVersion, makeKnex, quietLog } from './orm.js'
import { type Failure, knexExtensions, knexFiles, migrationSource, seedSource } from './sources.js'
import type { KnexSqliteClient } from './types.js'

export interface KnexMigrationsOptions {
  /**
   * The folder of your Knex migrations (your knexfile's `migrations.directory`), relative to
   * the `rootDir` option (the Vitest root, with the plugin), or absolute. TypeScript files load
   * through the runner's transform (Vite's, Jest's), as test code does.
   */
  directory: string
  /**
   * Your app's Knex client: the migrations run on it, as `knex migrate:latest` would. Default
   * `'better-sqlite3'`.
   */
  client?: KnexSqliteClient
  /** The table Knex records applied migrations in (`migrations.tableName`). Default `knex_migrations`. */
  tableName?: string
  /** The file extensions Knex loads (`migrations.loadExtensions`). Default Knex's own list. */
  loadExtensions?: readonly string[]
  /** Knex's `migrations.disableTransactions`. Default false: each migration in a transaction. */
  disableTransactions?: boolean
}

export interface KnexSeedsOptions {
  /** The folder of your Knex seed files (`seeds.directory`), relative to the `rootDir` option, or absolute. */
  directory: string
  /** Your app's Knex client: the seeds run on it, as `knex seed:run` would. Default `'better-sqlite3'`. */
  client?: KnexSqliteClient
  /** The file extensions Knex loads (`seeds.loadExtensions`). Default Knex's own list. */
  loadExtensions?: readonly string[]
}

const clients: readonly string[] = ['better-sqlite3', 'sqlite3']

function check(call: string, given: unknown, known: readonly string[]): asserts given is { directory: string; client?: unknown; loadExtensions?: unknown } {
  if (typeof given !== 'object' || given === null) throw new KnexLayerError(`sqlite-fixtures: ${call} needs options: { directory }.`)
  const unknown = unknownOption(given, known)
  if (unknown) {
    throw new KnexLayerError(`sqlite-fixtures: ${call} has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: ${known.join(', ')}.`)
  }
  const { directory, client, loadExtensions } = given as Record<string, unknown>
  if (typeof directory !== 'string' || directory === '') throw new KnexLayerError(`sqlite-fixtures: ${call} needs the option "directory": your Knex folder.`)
  if (client !== undefined && !clients.includes(client as string)) {
    throw new KnexLayerError(`sqlite-fixtures: ${call}: option "client" must be 'better-sqlite3' or 'sqlite3', got ${JSON.stringify(client)}.`)
  }
  if (loadExtensions !== undefined && (!Array.isArray(loadExtensions) || !loadExtensions.every((ext) => typeof ext === 'string' && ext.startsWith('.')))) {
    throw new KnexLayerError(`sqlite-fixtures: ${call}: option "loadExtensions" must list extensions such as ['.js', '.ts'].`)
  }
}

/**
 * Your Knex migrations, as plain data for the plugin's `migrations` option: applied once, to
 * the template, by Knex's own migrator (`migrate.latest()`, its `knex_migrations` rows as
 * Knex writes them), in the main process before any worker starts.
 *
 * ```ts
 * sqliteFixtures({ migrations: [knexMigrations({ directory: 'migrations' }), knexSeeds({ directory: 'seeds' })] })
 * ```
 */
export function knexMigrations(options: KnexMigrationsOptions): MigrationSet {
  check('knexMigrations()', options, ['directory', 'client', 'tableName', 'loadExtensions', 'disableTransactions'])
  const { tableName = 'knex_migrations', disableTransactions = false } = options
  if (typeof tableName !== 'string' || tableName === '') throw new KnexLayerError('sqlite-fixtures: knexMigrations(): option "tableName" must be a table name.')
  if (typeof disableTransactions !== 'boolean') throw new KnexLayerError('sqlite-fixtures: knexMigrations(): option "disableTransactions" must be true or false.')
  return {
    orm: 'knex',
    folder: options.directory,
    settings: { kind: 'migrations', client: options.client ?? 'better-sqlite3', tableName, loadExtensions: [...(options.loadExtensions ?? knexExtensions)], disableTransactions },
    madeBy: { call: 'knexMigrations', option: 'directory' },
  }
}

/**
 * Your Knex seed files, as plain data for the plugin's `migrations` option, after the
 * migrations: run once, in name order, on the template, by Knex's own seeder (`seed.run()`).
 */
export function knexSeeds(options: KnexSeedsOptions): MigrationSet {
  check('knexSeeds()', options, ['directory', 'client', 'loadExtensions'])
  return {
    orm: 'knex',
    folder: options.directory,
    settings: { kind: 'seeds', client: options.client ?? 'better-sqlite3', loadExtensions: [...(options.loadExtensions ?? knexExtensions)] },
    madeBy: { call: 'knexSeeds', option: 'directory' },
  }
}

/** A set's settings, read back (the set may have come through JSON from another process). */
interface KnexSettings {
  readonly kind: 'migrations' | 'seeds'
  readonly client: KnexSqliteClient
  readonly tableName: string
  readonly loadExtensions: readonly string[]
  readonly disableTransactions: boolean
}

function settingsOf(set: MigrationSet): KnexSettings {
  const settings = (set.settings ?? {}) as { readonly [key: string]: JsonValue }
  return {
    kind: settings['kind'] === 'seeds' ? 'seeds' : 'migrations',
    client: settings['client'] === 'sqlite3' ? 'sqlite3' : 'better-sqlite3',
    tableName: typeof settings['tableName'] === 'string' ? settings['tableName'] : 'knex_migrations',
    loadExtensions: Array.isArray(settings['loadExtensions']) ? (settings['loadExtensions'] as string[]) : knexExtensions,
    disableTransactions: settings['disableTransactions'] === true,
  }
}

/** Where a migration or seed failed, for the message: `migrations/002_orders.ts:7`. */
function place(failure: Failure | undefined, rootDir: string): string {
  if (!failure) return ''
  const line = lineIn(failure.error, failure.file)
  return `, at ${path.relative(rootDir, failure.file).split(path.sep).join('/')}${line === undefined ? '' : `:${line}`}`
}

/** Why it failed: Knex wraps a seed's error in its own, with the original beside it. */
function reason(error: unknown): string {
  const original = (error as { original?: unknown } | null)?.original ?? error
  return original instanceof Error ? original.message : String(original)
}

/**
 * A Knex on the template being built: the app's client, on the file the build runs in. Its
 * async stack traces put the migration's own call in a failing query's stack, for its line.
 */
function knexOnFile(client: KnexSqliteClient, file: string): Knex {
  return makeKnex({ client, connection: { filename: file }, useNullAsDefault: true, log: quietLog, asyncStackTraces: true })
}

async function apply(file: string, folder: string, settings: KnexSettings, context: { rootDir: string; importModule: ModuleImport }): Promise<void> {
  const knex = knexOnFile(settings.client, file)
  const failure: { current?: Failure } = {}
  try {
    if (settings.kind === 'seeds') await knex.seed.run({ seedSource: seedSource(folder, settings.loadExtensions, context.importModule, failure) })
    else {
      const { tableName, disableTransactions } = settings
      await knex.migrate.latest({ migrationSource: migrationSource(folder, settings.loadExtensions, context.importModule, failure), tableName, disableTransactions })
    }
  } catch (error) {
    if (error instanceof KnexLayerError) throw error
    const what = settings.kind === 'seeds' ? 'seed' : 'migration'
    const name = failure.current ? path.basename(failure.current.file) : folder
    throw new SchemaError(
      `sqlite-fixtures: Knex ${what} ${name} failed while building the template${place(failure.current, context.rootDir)}: ${reason(failure.current?.error ?? error)}. ` +
        (settings.kind === 'seeds' ? 'Fix the seed, and run the tests again.' : "Fix the migration, or step through the migrations with migrator() from 'sqlite-fixtures/knex'."),
      undefined,
      { cause: failure.current?.error ?? error },
    )
  } finally {
    await knex.destroy()
  }
}

/** The steps of a Knex migration or seed set: its folder's files, run by Knex's own migrator or seeder on the app's client. */
export const migrationSteps: MigrationSteps = async (set, context) => {
  const folder = path.resolve(context.rootDir, set.folder)
  const settings = settingsOf(set)
  const kind = settings.kind === 'seeds' ? 'seed' : 'migration'
  const files = knexFiles(folder, settings.loadExtensions, kind)
  if (files.length === 0) {
    throw new KnexLayerError(`sqlite-fixtures: the Knex ${kind}s folder ${folder} holds no ${kind} file (${settings.loadExtensions.join(', ')}).`)
  }
  const step: TemplateStep = {
    name: `knex ${settings.kind} (${files.length})`,
    fingerprint: [
      `knex ${knexVersion()}`,
      JSON.stringify(settings),
      ...files.map((file) => `${file}\n${fs.readFileSync(path.join(folder, file), 'utf8')}`),
    ].join('\n'),
    files: [folder],
    // Knex opens the file with the app's driver, as it would in production.
    onFile: true,
    apply: (db) => apply(db.name, folder, settings, context),
  }
  return [step]
}
