import { defineLayer } from '../core/base/index.js'
import { Broker } from './broker.js'
import { followedOptions, standingHandlers } from './following.js'
import type { Handler } from './types.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /** A message broker stored in the test's own database. */
      broker: Broker
    }
  }
}

/**
 * The built-in `broker` layer: a broker on the test's database, closed before the database,
 * made with the options of the app's broker on `testDatabase()` and the handlers it
 * subscribed outside any test.
 */
export const brokerLayer = defineLayer({
  name: 'broker',
  dependsOn: ['db'],
  setup: ({ db }) => {
    const broker = new Broker(db, followedOptions())
    for (const [topic, handler] of standingHandlers()) broker.subscribe(topic, handler as Handler)
    return broker
  },
  teardown: (broker) => broker.close(),
})
