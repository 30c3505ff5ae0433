import { SqliteFixturesError } from '../core/base/index.js'

/** A D1 option, migrations folder or test pool that sqlite-fixtures/d1 cannot work with. */
export class D1FixturesError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_D1', options)
  }
}
