import { SqliteFixturesError } from '../core/base/index.js'

/** The Drizzle layer was given options, or a migrations folder, it cannot work with. */
export class DrizzleLayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_DRIZZLE', options)
  }
}

/** The data-migration helper could not do what it was asked: an unknown or failing migration, named. */
export class DrizzleMigrationError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_DRIZZLE_MIGRATION', options)
  }
}
