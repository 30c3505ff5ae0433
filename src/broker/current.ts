import { currentScope } from '../core/lifecycle/index.js'
import type { Broker } from './broker.js'

/** The running test's broker, made (with its database) on first use. */
export function currentBroker(): Broker {
  return currentScope().get('broker')
}
