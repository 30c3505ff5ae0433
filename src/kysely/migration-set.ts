import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { type JsonValue, type MigrationSet, type MigrationSteps, SchemaError, type TemplateStep, unknownOption } from '../core/base/index.js'
import { KyselyLayerError } from './errors.js'
import { failureOf } from './failure.js'
import { migrationFiles } from './folder.js'
import { kyselyOn } from './kysely-on.js'
import { migratorClass } from './migrator-class.js'
import { migrationSource, type MigrationSource } from './source.js'
import type { KyselyMigrationOptions, KyselyMigratorProps } from './types.js'

export interface KyselyMigrationsOptions {
  /**
   * The folder of your Kysely migration files (`.ts`, `.js`, ...), read as Kysely's
   * `FileMigrationProvider` reads it. Relative to the `rootDir` option (the Vitest root, with
   * the plugin), or absolute. TypeScript files load through Vite's transform, in Vitest's main
   * process as in its workers.
   */
  folder: string
  /** Settings for Kysely's `Migrator`. */
  migratorProps?: KyselyMigratorProps
}

/** The set of a folder, with every setting spelled out, so equal sets have equal identities. */
export function kyselySet(folder: string, migratorProps: KyselyMigratorProps = {}): MigrationSet {
  return { orm: 'kysely', folder, settings: { migratorProps: { ...migratorProps } as { [key: string]: JsonValue } } }
}

/**
 * Your Kysely migrations, as plain data for the `migrations` option: applied once, to the
 * template, by Kysely's own `Migrator`, in the main process before any worker starts.
 *
 * ```ts
 * sqliteFixtures({ migrations: [kyselyMigrations({ folder: 'migrations' })] })
 * ```
 *
 * Migrations that need Kysely plugins (`CamelCasePlugin`) or a custom provider cannot be
 * described as data: give them to `kyselyLayer()` in a setup file.
 */
export function kyselyMigrations(options: KyselyMigrationsOptions): MigrationSet {
  const given: unknown = options
  if (typeof given !== 'object' || given === null) throw new KyselyLayerError('sqlite-fixtures: kyselyMigrations() needs options: { folder }.')
  const unknown = unknownOption(given, ['folder', 'migratorProps'])
  if (unknown) {
    const hint = ['plugins', 'provider', 'import'].includes(unknown.name)
      ? ` Migrations that need "${unknown.name}" are code, not data: give them to kyselyLayer() in a setup file.`
      : ` Did you mean "${unknown.guess}"?`
    throw new KyselyLayerError(`sqlite-fixtures: kyselyMigrations() has no option "${unknown.name}".${hint} Known options: folder, migratorProps.`)
  }
  if (typeof options.folder !== 'string' || options.folder === '') {
    throw new KyselyLayerError('sqlite-fixtures: kyselyMigrations() needs the option "folder": the folder of your Kysely migration files.')
  }
  return kyselySet(options.folder, options.migratorProps)
}

/** Applies every migration to the template with Kysely's own `Migrator`; a failure names the migration. */
async function migrateTemplate(db: Database, source: MigrationSource, options: KyselyMigrationOptions): Promise<void> {
  const kysely = kyselyOn<unknown>(db, options.plugins)
  try {
    const Migrator = await migratorClass()
    const result = await new Migrator({ ...options.migratorProps, db: kysely, provider: source.provider }).migrateToLatest()
    const failure = failureOf(result, source)
    if (failure) {
      const before = failure.applied.length > 0 ? ` (after ${failure.applied.join(', ')} applied)` : ''
      throw new SchemaError(
        `sqlite-fixtures: Kysely ${failure.where} failed while building the template${before}: ${failure.reason}. ` +
          "Fix the migration, or step through the migrations with migrator() from 'sqlite-fixtures/kysely'.",
        undefined,
        { cause: failure.error },
      )
    }
  } finally {
    await kysely.destroy()
  }
}

/**
 * The template step that runs the migrations of `source` with Kysely's own `Migrator`. Its
 * name (shown by `sqlite-fixtures build`, and part of the cache key) gives the folder relative
 * to the project's root, so it is the same in every checkout.
 */
export async function migrationStep(source: MigrationSource, options: KyselyMigrationOptions, rootDir: string): Promise<TemplateStep> {
  const folder = source.folder
  return {
    name: folder === undefined ? `kysely migrations (${source.label})` : `kysely migrations in ${path.relative(rootDir, folder) || '.'} (${migrationFiles(folder).length})`,
    fingerprint: await source.fingerprint(),
    files: source.folder === undefined ? [] : [source.folder],
    apply: (db) => migrateTemplate(db, source, options),
  }
}

/** The steps of a Kysely migration set: its folder's files, loaded the way this process loads project code. */
export const migrationSteps: MigrationSteps = async (set, { rootDir, importModule }) => {
  const options: KyselyMigrationOptions = {
    migrationFolder: path.resolve(rootDir, set.folder),
    migratorProps: (set.settings?.migratorProps ?? {}) as KyselyMigratorProps,
    import: importModule,
  }
  return [await migrationStep(migrationSource('kyselyMigrations()', options), options, rootDir)]
}
