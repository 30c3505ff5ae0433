import { BrokerError } from './errors.js'
import type { BrokerOptions } from './types.js'

/** The options of the brokers built on `testDatabase()`: every test's broker is made with them. */
let shared: { options: BrokerOptions; key: string } | undefined

const keyOf = ({ leaseMs, maxAttempts, backoff }: BrokerOptions) => JSON.stringify({ leaseMs, maxAttempts, backoff })

/**
 * Records the options of a broker made on `testDatabase()`, the app's broker in tests. Its
 * calls go to the running test's own broker (`ctx.broker`), which is made with them; so the
 * app and the test share one table, one clock and one set of handlers per test.
 */
export function followTests(options: BrokerOptions): void {
  if (options.clock) {
    throw new BrokerError(
      'sqlite-fixtures: a Broker on testDatabase() gets each test its own clock (broker.clock in the test); ' +
        'leave out the clock option.',
    )
  }
  const key = keyOf(options)
  if (shared && shared.key !== key) {
    throw new BrokerError(
      `sqlite-fixtures: two Brokers on testDatabase() have different options (${shared.key} and ${key}), ` +
        "but each test has one broker. Make the app's brokers with the same options.",
    )
  }
  shared = { options, key }
}

/** The options each test's broker is made with. */
export function followedOptions(): BrokerOptions {
  return shared?.options ?? {}
}
