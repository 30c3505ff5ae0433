// `sqlite-fixtures/broker`: the broker alone, for app code. It loads no test runner, so a
// production module may import it; in tests, a Broker made on testDatabase() follows each test.
export { Broker } from './broker.js'
export { BrokerClock } from './clock.js'
export { BrokerError } from './errors.js'
export type {
  BrokerOptions,
  BrokerTopics,
  Delivery,
  DrainOptions,
  DrainSummary,
  Handler,
  Message,
  MessageFilter,
  MessageState,
  NackOptions,
  Payload,
  PublishOptions,
  ReceiveOptions,
  Topic,
} from './types.js'
