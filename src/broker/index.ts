export { Broker } from './broker.js'
export { BrokerClock } from './clock.js'
export { currentBroker } from './current.js'
export { BrokerError } from './errors.js'
export { brokerLayer } from './layer.js'
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
