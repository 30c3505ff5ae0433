export * from './public.js'
export { currentBroker } from './current.js'
export { brokerLayer } from './layer.js'
