export { Broker } from './broker.js'
export { BrokerClock } from './clock.js'
export { currentBroker } from './current.js'
export { BrokerError } from './errors.js'
export { brokerLayer } from './layer.js'
export type {
  BrokerOptions,
  Delivery,
  DrainSummary,
  Handler,
  Message,
  MessageState,
  Payload,
  PublishOptions,
  Topic,
} from './types.js'
