import { SqliteFixturesError } from '../core/base/index.js'

/** The Sequelize layer, or `testSequelize()`, was given what it cannot work with. */
export class SequelizeLayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_SEQUELIZE', options)
  }
}

/** A migration run by `migrator()` failed, or was asked for by a name no migration has. */
export class SequelizeMigrationError extends SqliteFixturesError {
  /** The migration at fault, when one is. */
  readonly migration: string | undefined

  constructor(message: string, migration?: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_SEQUELIZE_MIGRATION', options)
    this.migration = migration
  }
}
