import { SqliteFixturesError } from '../core/base/index.js'

/** The Kysely layer was given options it cannot use, or a migration file cannot be loaded. */
export class KyselyLayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_KYSELY', options)
  }
}

/** A migration run by `migrator()` failed, or was asked for by a name no migration has. */
export class KyselyMigrationError extends SqliteFixturesError {
  /** The migration at fault, when one is. */
  readonly migration: string | undefined

  constructor(message: string, migration?: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_KYSELY_MIGRATION', options)
    this.migration = migration
  }
}
