import { defineLayer } from '../core/layer.js'
import { Broker } from './broker.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /** A message broker stored in the test's own database. */
      broker: Broker
    }
  }
}

/** The built-in `broker` layer: a broker on the test's database, closed before the database. */
export const brokerLayer = defineLayer({
  name: 'broker',
  dependsOn: ['db'],
  setup: ({ db }) => new Broker(db),
  teardown: (broker) => broker.close(),
})
