import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { Broker } from '../../src/broker/broker.js'
import { BrokerClock } from '../../src/broker/clock.js'
import { BrokerError } from '../../src/broker/errors.js'
import { brokerLayer } from '../../src/broker/layer.js'
import { FixtureUnavailableError } from '../../src/core/base/errors.js'
import { testDatabase } from '../../src/core/access/test-database.js'

test('a broker on testDatabase() can be made at import time, and says so when used outside a test', () => {
  const broker = new Broker(testDatabase(), { leaseMs: 5_000 })
  expect(() => broker.publish('topic', 1)).toThrow(FixtureUnavailableError)
  expect(() => broker.publish('topic', 1)).toThrow('broker.publish() was called outside a test on a Broker made on testDatabase()')
  expect(() => broker.clock).toThrow(/called outside a test/)
  expect(() => broker.close()).not.toThrow()
})

test('the app brokers on testDatabase() must agree on their options: each test has one broker', () => {
  expect(() => new Broker(testDatabase(), { leaseMs: 5_000 })).not.toThrow()
  expect(() => new Broker(testDatabase(), { leaseMs: 9_000 })).toThrow(
    'two Brokers on testDatabase() have different options ({"leaseMs":5000,"maxAttempts":5,',
  )
  // Compared with their defaults filled in: these are the same options.
  expect(() => new Broker(testDatabase(), { leaseMs: 5_000, maxAttempts: 5, backoff: { maxMs: 60_000, baseMs: 1_000 } })).not.toThrow()
})

test("handlers the app subscribes outside a test are kept for every test's broker, and a test may replace them", async () => {
  const appBroker = new Broker(testDatabase(), { leaseMs: 5_000 })
  const handled: string[] = []
  const unsubscribe = appBroker.subscribe('mail', (delivery) => void handled.push(`app: ${String(delivery.payload)}`))
  expect(() => appBroker.subscribe('mail', () => {})).toThrow('topic "mail" already has a handler')
  const db = new Database(':memory:')
  try {
    // What each test gets as ctx.broker.
    const first = brokerLayer.setup({ db }, { name: 'a test', id: '1', failed: false }) as Broker
    first.publish('mail', 'one')
    await first.drain()
    first.close()
    const second = brokerLayer.setup({ db }, { name: 'a test', id: '1', failed: false }) as Broker
    second.subscribe('mail', (delivery) => void handled.push(`test: ${String(delivery.payload)}`))
    second.publish('mail', 'two')
    await second.drain()
    second.close()
  } finally {
    unsubscribe()
    db.close()
  }
  expect(handled).toEqual(['app: one', 'test: two'])
})

test('a broker on testDatabase() takes no clock: each test has its own', () => {
  expect(() => new Broker(testDatabase(), { leaseMs: 5_000, clock: new BrokerClock(0) })).toThrow(BrokerError)
})
