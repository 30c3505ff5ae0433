import { SqliteFixturesError } from '../core/base/index.js'

/** `testSqlite3Database()` was given what it cannot use, or cannot reach a test's database. */
export class Sqlite3FixtureError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_SQLITE3', options)
  }
}
