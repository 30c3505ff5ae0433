import Database from 'better-sqlite3'
import { beforeEach, describe, expect, test } from 'vitest'
import { Broker, BrokerClock, BrokerError, type Delivery } from '../../src/broker/index.js'

declare global {
  namespace SqliteFixtures {
    interface BrokerTopics {
      'order.created': { orderId: number }
    }
  }
}

let db: Database.Database
let broker: Broker

beforeEach(() => {
  db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  db.exec('create table orders (id integer primary key)')
  broker = new Broker(db, { clock: new BrokerClock(0), leaseMs: 1_000, maxAttempts: 3, backoff: { baseMs: 100, factor: 2 } })
  return () => db.close()
})

const states = (topic?: string) => broker.messages(topic).map((m) => [m.payload, m.state, m.attempts])

describe('publishing', () => {
  test('stores the message in the same database, in its own table', () => {
    const id = broker.publish('order.created', { orderId: 1 }, { headers: { source: 'checkout' } })
    expect(broker.messages()).toEqual([
      expect.objectContaining({ id, topic: 'order.created', payload: { orderId: 1 }, headers: { source: 'checkout' }, state: 'ready', attempts: 0 }),
    ])
    expect(db.prepare("select count(*) from sqlite_master where name = 'fixtures_broker_messages'").pluck().get()).toBe(1)
  })

  test('inside a transaction that rolls back, the message is gone with the app data (outbox)', () => {
    const placeOrder = db.transaction((fail: boolean) => {
      db.prepare('insert into orders (id) values (1)').run()
      broker.publish('order.created', { orderId: 1 })
      if (fail) throw new Error('payment declined')
    })
    expect(() => placeOrder(true)).toThrow('payment declined')
    expect(broker.messages()).toEqual([])
    placeOrder(false)
    expect(states()).toEqual([[{ orderId: 1 }, 'ready', 0]])
  })

  test('topics and payloads with SQL in them are stored verbatim: they are bound, never SQL text', () => {
    const topic = "x'); drop table orders; --"
    broker.publish(topic, "'; delete from fixtures_broker_messages; --")
    expect(broker.messages(topic).map((m) => [m.topic, m.payload])).toEqual([[topic, "'; delete from fixtures_broker_messages; --"]])
    expect(db.prepare('select count(*) from orders').pluck().get()).toBe(0)
  })

  test('a payload JSON cannot hold is refused, naming the topic and why', () => {
    const cyclic: { self?: unknown } = {}
    cyclic.self = cyclic
    expect(() => broker.publish('t', { big: 1n })).toThrow(/payload published to "t" cannot be stored as JSON: Do not know how to serialize a BigInt/)
    expect(() => broker.publish('t', cyclic)).toThrow(/cannot be stored as JSON: Converting circular structure/)
    expect(() => broker.publish('t', undefined)).toThrow(BrokerError)
    expect(() => broker.publish('t', () => 1)).toThrow(/is function, which JSON cannot hold/)
  })

  test('an empty topic or a negative delay is refused', () => {
    expect(() => broker.publish('', 1)).toThrow('broker.publish() needs a topic, a non-empty string; got "".')
    expect(() => broker.publish('t', 1, { delayMs: -5 })).toThrow('delayMs must be a number of milliseconds >= 0, got -5.')
  })
})

describe('consuming', () => {
  test('messages of a topic come first in, first out', () => {
    for (const orderId of [1, 2, 3]) broker.publish('order.created', { orderId })
    broker.publish('other', 'x')
    const taken = [1, 2, 3].map(() => broker.receive('order.created'))
    expect(taken.map((m) => m?.payload.orderId)).toEqual([1, 2, 3])
    expect(broker.receive('order.created')).toBeUndefined()
  })

  test('a delayed message is delivered only when the clock passes its time', () => {
    broker.publish('t', 'later', { delayMs: 5_000 })
    expect(broker.receive('t')).toBeUndefined()
    expect(states()).toEqual([['later', 'delayed', 0]])
    broker.clock.advance(4_999)
    expect(broker.receive('t')).toBeUndefined()
    broker.clock.advance(1)
    expect(broker.receive('t')?.payload).toBe('later')
  })

  test('an expired lease delivers the message again (at least once)', () => {
    broker.publish('t', 'job')
    const first = broker.receive('t') as Delivery
    expect(broker.receive('t')).toBeUndefined()
    broker.clock.advance(1_000)
    const second = broker.receive('t') as Delivery
    expect(second.id).toBe(first.id)
    expect(second.attempts).toBe(2)
    expect(() => first.ack()).toThrow(/no longer leased by this delivery \(attempt 1\)/)
    second.ack()
    expect(states()).toEqual([['job', 'acked', 2]])
  })

  test('nack retries with back-off, then dead-letters after maxAttempts', () => {
    broker.publish('t', 'flaky')
    ;(broker.receive('t') as Delivery).nack({ error: new Error('timeout') })
    expect(broker.messages()[0]).toMatchObject({ state: 'delayed', availableAt: 100, lastError: 'timeout' })
    broker.clock.advance(100)
    ;(broker.receive('t') as Delivery).nack()
    expect(broker.messages()[0]).toMatchObject({ state: 'delayed', availableAt: 300 })
    broker.clock.advance(200)
    ;(broker.receive('t') as Delivery).nack({ error: 'still failing' })
    expect(broker.messages('t', { state: 'dead' })).toEqual([expect.objectContaining({ attempts: 3, lastError: 'still failing' })])
    broker.clock.advance(60_000)
    expect(broker.receive('t')).toBeUndefined()
  })

  test('a lease that expires on the last attempt dead-letters the message', () => {
    broker.publish('t', 'stuck')
    for (let i = 0; i < 3; i++) {
      expect(broker.receive('t')).toBeDefined()
      broker.clock.advance(1_000)
    }
    expect(broker.receive('t')).toBeUndefined()
    expect(states()).toEqual([['stuck', 'dead', 3]])
  })
})

describe('drain', () => {
  test('delivers due messages to their handlers and acks them', async () => {
    const seen: number[] = []
    broker.subscribe('order.created', (message) => void seen.push(message.payload.orderId))
    broker.publish('order.created', { orderId: 1 })
    broker.publish('order.created', { orderId: 2 })
    expect(await broker.drain()).toEqual({ delivered: 2, acked: 2, retried: 0, deadLettered: 0 })
    expect(seen).toEqual([1, 2])
    expect(broker.messages('order.created', { state: 'acked' })).toHaveLength(2)
  })

  test('with advanceTime, reaches delayed and retried messages without sleeping', async () => {
    let calls = 0
    broker.subscribe('t', () => {
      calls++
      if (calls < 3) throw new Error(`failure ${calls}`)
    })
    broker.publish('t', 'eventually', { delayMs: 60_000 })
    expect(await broker.drain()).toEqual({ delivered: 0, acked: 0, retried: 0, deadLettered: 0 })
    expect(await broker.drain({ advanceTime: true })).toEqual({ delivered: 3, acked: 1, retried: 2, deadLettered: 0 })
    expect(broker.clock.now()).toBe(60_000 + 100 + 200)
  })

  test('a handler that always fails ends in the dead-letter state, not in a loop', async () => {
    broker.subscribe('t', async () => {
      throw new Error('broken handler')
    })
    broker.publish('t', 'poison')
    expect(await broker.drain({ advanceTime: true })).toEqual({ delivered: 3, acked: 0, retried: 2, deadLettered: 1 })
    expect(broker.messages('t', { state: 'dead' })[0]?.lastError).toBe('broken handler')
  })

  test('a due message on a topic nobody handles is an error naming the topic', async () => {
    broker.publish('unhandled.topic', 1)
    await expect(broker.drain()).rejects.toThrow(
      `drain() found a message on topic "unhandled.topic", which has no handler. Call broker.subscribe('unhandled.topic', handler) first`,
    )
    expect(states()).toEqual([[1, 'ready', 1]])
  })
})

test('after close (the end of its test), every call is refused, naming the method', () => {
  broker.close()
  expect(() => broker.publish('t', 1)).toThrow('broker.publish() was called after the broker was torn down (its test ended).')
  expect(() => broker.messages()).toThrow(/broker\.messages\(\) was called after/)
})
