import { SqliteFixturesError } from '../core/base/index.js'

/** A D1 option, migrations folder or test pool that sqlite-fixtures/d1 cannot work with. */
export class D1FixturesError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_D1', options)
  }
}

/**
 * D1 gives a test file one database per binding: tests that run at the same time would share
 * it, and each one's fresh copy would replace the rows of the other mid-test.
 */
export function concurrentTestError(test: string): D1FixturesError {
  return new D1FixturesError(
    `sqlite-fixtures/d1: test "${test}" runs concurrently (test.concurrent, describe.concurrent or sequence.concurrent), ` +
      "but the Workers pool gives a test file one D1 database per binding: concurrent tests would share it, and each test's fresh copy would replace the other's rows. " +
      "Run the file's D1 tests one at a time (drop .concurrent, or use describe.sequential), or tag a test that never touches D1 'no-db'.",
  )
}
