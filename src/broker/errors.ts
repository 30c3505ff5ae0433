import { SqliteFixturesError } from '../core/base/index.js'

/** The broker was misused: bad input, a topic nobody handles, use after its test ended. */
export class BrokerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_BROKER', options)
  }
}
