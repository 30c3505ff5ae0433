import { BrokerError } from './errors.js'
import type { BrokerOptions, Handler } from './types.js'

/** The options of the brokers built on `testDatabase()`: every test's broker is made with them. */
let shared: { options: BrokerOptions; key: string } | undefined

/** Handlers subscribed on such a broker outside any test (an app's consumers, at import): every test's broker gets them. */
const standing = new Map<string, Handler<never>>()

const keyOf = ({ leaseMs, maxAttempts, backoff }: BrokerOptions) =>
  JSON.stringify({ leaseMs, maxAttempts, backoff: backoff && { baseMs: backoff.baseMs, factor: backoff.factor, maxMs: backoff.maxMs } })

/**
 * Records the options of a broker made on `testDatabase()`, the app's broker in tests, with
 * their defaults filled in (so that equal options written differently agree). Its
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

/** Keeps a handler subscribed outside any test, for every test's broker; returns how to unsubscribe it. */
export function subscribeForEveryTest(topic: string, handler: Handler<never>): () => void {
  if (standing.has(topic)) {
    throw new BrokerError(`sqlite-fixtures: topic "${topic}" already has a handler; one handler per topic.`)
  }
  standing.set(topic, handler)
  return () => {
    if (standing.get(topic) === handler) standing.delete(topic)
  }
}

/** The handlers every test's broker starts with; a test may replace them with its own. */
export function standingHandlers(): ReadonlyMap<string, Handler<never>> {
  return standing
}
