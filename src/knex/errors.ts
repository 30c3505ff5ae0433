import { SqliteFixturesError } from '../core/base/index.js'

/** The Knex layer, or `testKnex()`, was given what it cannot work with. */
export class KnexLayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_KNEX', options)
  }
}

/** A migration run by `migrator()` failed, or was asked for by a name no migration has. */
export class KnexMigrationError extends SqliteFixturesError {
  /** The migration at fault, when one is. */
  readonly migration: string | undefined

  constructor(message: string, migration?: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_KNEX_MIGRATION', options)
    this.migration = migration
  }
}
