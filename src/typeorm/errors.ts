import { SqliteFixturesError } from '../core/base/index.js'

/** The TypeORM layer cannot work with the DataSource it was given, or was misused. */
export class TypeormLayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_TYPEORM', options)
  }
}

/** A migration check failed: names the migration (or entity) at fault and what differs. */
export class MigrationCheckError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_MIGRATION_CHECK', options)
  }
}
