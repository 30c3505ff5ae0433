import { SqliteFixturesError } from '../core/base/index.js'

/** `testLibsqlClient()` was given options it cannot use, or cannot reach a test's database. */
export class LibsqlFixtureError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_LIBSQL', options)
  }
}
