import { expect, test } from 'vitest'
import { Broker } from '../../src/broker/broker.js'
import { BrokerClock } from '../../src/broker/clock.js'
import { BrokerError } from '../../src/broker/errors.js'
import { FixtureUnavailableError } from '../../src/core/errors.js'
import { testDatabase } from '../../src/core/test-database.js'

test('a broker on testDatabase() can be made at import time, and says so when used outside a test', () => {
  const broker = new Broker(testDatabase(), { leaseMs: 5_000 })
  expect(() => broker.publish('topic', 1)).toThrow(FixtureUnavailableError)
  expect(() => broker.clock).toThrow(/called outside a test/)
  expect(() => broker.close()).not.toThrow()
})

test('the app brokers on testDatabase() must agree on their options: each test has one broker', () => {
  expect(() => new Broker(testDatabase(), { leaseMs: 5_000 })).not.toThrow()
  expect(() => new Broker(testDatabase(), { leaseMs: 9_000 })).toThrow(
    'two Brokers on testDatabase() have different options ({"leaseMs":5000} and {"leaseMs":9000})',
  )
})

test('a broker on testDatabase() takes no clock: each test has its own', () => {
  expect(() => new Broker(testDatabase(), { leaseMs: 5_000, clock: new BrokerClock(0) })).toThrow(BrokerError)
})
