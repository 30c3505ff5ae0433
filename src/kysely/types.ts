import type { Kysely, KyselyPlugin } from 'kysely'
import type { ModuleImport } from '../core/base/index.js'

/**
 * A migration, as Kysely's `Migrator` runs it. Declared here rather than imported, because
 * Kysely 0.29 moved its migration types from `kysely` to `kysely/migration`.
 */
export interface KyselyMigration {
  up(db: Kysely<unknown>): Promise<void>
  down?(db: Kysely<unknown>): Promise<void>
}

/** Any Kysely `MigrationProvider`: migrations by name; `Migrator` runs them in name order. */
export interface KyselyMigrationProvider {
  getMigrations(): Promise<Record<string, KyselyMigration>>
}

/** The settings of Kysely's `Migrator` that shape the migrated database; give the ones your app uses. */
export interface KyselyMigratorProps {
  /** The table that records applied migrations. Kysely's default: `kysely_migration`. */
  readonly migrationTableName?: string
  /** The table of the migration lock. Kysely's default: `kysely_migration_lock`. */
  readonly migrationLockTableName?: string
  /** Let a migration named before an applied one run. Kysely's default: false. */
  readonly allowUnorderedMigrations?: boolean
}

/** Where migrations come from and how they run: shared by `kyselyLayer()` and `migrator()`. */
export interface KyselyMigrationOptions {
  /**
   * The folder of migration files, read as Kysely's `FileMigrationProvider` reads it: every
   * `.ts`, `.js`, `.mts` and `.mjs` file (and, from kysely 0.29, `.cts` and `.cjs`) but
   * declarations (`.d.ts`), not subfolders; a file's name without its extension is the
   * migration's name, and migrations run in name order. An absolute path or a `file:` URL (e.g.
   * `new URL('../migrations', import.meta.url)`). Give this or `provider`.
   */
  migrationFolder?: string | URL
  /** Any Kysely `MigrationProvider`, instead of `migrationFolder`. */
  provider?: KyselyMigrationProvider
  /**
   * How migration files are loaded. Default: the way the test runner loads test code, so
   * TypeScript migrations load under Vitest (its module runner) and Jest (its `require`
   * and transform); outside a runner, Node's `import()`.
   */
  import?: ModuleImport
  /**
   * Kysely plugins (e.g. `new CamelCasePlugin()`) for the Kysely the migrations run on and
   * for `ctx.kysely`: give the ones your app's Kysely has, so both see the same names.
   */
  plugins?: readonly KyselyPlugin[]
  /** Settings for Kysely's `Migrator`. */
  migratorProps?: KyselyMigratorProps
}

/**
 * The database interface a project registers for `ctx.kysely`:
 * `declare global { namespace SqliteFixtures { interface Register { kyselyDatabase: DB } } }`.
 * Without it, tables and columns are untyped: any name, values `unknown`.
 */
export type RegisteredKyselyDatabase = SqliteFixtures.Register extends { kyselyDatabase: infer DB } ? DB : UntypedDatabase

/** Any table, any column: what `ctx.kysely` knows of your schema when no `DB` is registered. */
export type UntypedDatabase = Record<string, Record<string, unknown>>
