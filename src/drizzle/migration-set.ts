import path from 'node:path'
import { type MigrationSet, type MigrationSteps, type TemplateStep, unknownOption } from '../core/base/index.js'
import { DrizzleLayerError } from './errors.js'
import type { Client } from '@libsql/client'
import { drizzleConfig, drizzleOver } from './database.js'
import { libsqlMigrationFailure, migrationFailure } from './failure.js'
import { checkReadable, fingerprintOf, readMigrationsFolder, type MigrationsFolder } from './migrations.js'
import { libsqlDrizzleModule, libsqlMigratorModule, migratorModule } from './orm.js'

export interface DrizzleMigrationsOptions {
  /**
   * The folder drizzle-kit writes migrations to (its config's `out`), in the format the
   * installed drizzle-orm reads: 0.x `meta/_journal.json` + `NNNN_tag.sql`, 1.x one folder per
   * migration with `migration.sql`. Relative to the `rootDir` option (the Vitest root, with
   * the plugin).
   */
  folder: string
  /** The table Drizzle records applied migrations in, if your config changes it. Default `__drizzle_migrations`. */
  migrationsTable?: string
}

const defaultTable = '__drizzle_migrations'

/** The set of a folder, with every setting spelled out, so equal sets have equal identities. */
export function drizzleSet(folder: string, migrationsTable = defaultTable): MigrationSet {
  return { orm: 'drizzle', folder, settings: { migrationsTable } }
}

/**
 * Your Drizzle migrations, as plain data for the `migrations` option: applied once, to the
 * template, by Drizzle's own `migrate()`, in the main process before any worker starts.
 *
 * ```ts
 * sqliteFixtures({ migrations: [drizzleMigrations({ folder: 'drizzle' })] })
 * ```
 */
export function drizzleMigrations(options: DrizzleMigrationsOptions): MigrationSet {
  const given: unknown = options
  if (typeof given !== 'object' || given === null) throw new DrizzleLayerError('sqlite-fixtures: drizzleMigrations() needs options: { folder }.')
  const unknown = unknownOption(given, ['folder', 'migrationsTable'])
  if (unknown) {
    throw new DrizzleLayerError(
      `sqlite-fixtures: drizzleMigrations() has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: folder, migrationsTable.`,
    )
  }
  const { folder, migrationsTable = defaultTable } = options
  if (typeof folder !== 'string' || folder === '') {
    throw new DrizzleLayerError('sqlite-fixtures: drizzleMigrations() needs the option "folder": the folder drizzle-kit writes migrations to.')
  }
  if (typeof migrationsTable !== 'string' || migrationsTable === '') {
    throw new DrizzleLayerError('sqlite-fixtures: drizzleMigrations(): option "migrationsTable" must be a table name.')
  }
  return drizzleSet(folder, migrationsTable)
}

/**
 * The template step that applies the folder's migrations with Drizzle's own migrator. Its name
 * (shown by `sqlite-fixtures build`, and part of the cache key) gives the folder relative to
 * the project's root.
 */
export function migrationStep(folder: MigrationsFolder, migrationsTable: string, rootDir: string): TemplateStep {
  return {
    name: `drizzle migrations in ${path.relative(rootDir, folder.folder) || '.'} (${folder.migrations.length})`,
    fingerprint: fingerprintOf(folder, migrationsTable),
    files: [folder.folder],
    apply: (db, scratch) => {
      try {
        // Synchronous on both lines: one transaction over every pending migration.
        migratorModule().migrate(drizzleOver(db, {}), { migrationsFolder: folder.folder, migrationsTable })
      } catch (error) {
        throw migrationFailure(folder.folder, folder.migrations, error, scratch)
      }
    },
    // Where libSQL builds the template: Drizzle's libSQL migrator, which runs the libSQL SQL
    // drizzle-kit's 'turso' dialect writes (ALTER COLUMN).
    applyLibsql: async (client) => {
      const database = libsqlDrizzleModule().drizzle(drizzleConfig(client, {}) as unknown as { client: Client })
      try {
        await libsqlMigratorModule().migrate(database, { migrationsFolder: folder.folder, migrationsTable })
      } catch (error) {
        throw await libsqlMigrationFailure(folder.folder, folder.migrations, error, client)
      }
    },
  }
}

/** The steps of a Drizzle migration set: the folder, read as Drizzle reads it. */
export const migrationSteps: MigrationSteps = async (set, { rootDir }) => {
  const table = typeof set.settings?.migrationsTable === 'string' ? set.settings.migrationsTable : defaultTable
  return [migrationStep(checkReadable(readMigrationsFolder(path.resolve(rootDir, set.folder))), table, rootDir)]
}
