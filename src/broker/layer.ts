import { defineLayer } from '../core/layer.js'
import { Broker } from './broker.js'
import { followedOptions } from './following.js'

/** The built-in `broker` layer: a broker on the test's database, closed before the database. */
export const brokerLayer = defineLayer({
  name: 'broker',
  dependsOn: ['db'],
  setup: ({ db }) => new Broker(db, followedOptions()),
  teardown: (broker) => broker.close(),
})
