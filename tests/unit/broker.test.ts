import Database from 'better-sqlite3'
import { beforeEach, describe, expect, expectTypeOf, test } from 'vitest'
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
const take = (topic: string) => broker.receive(topic) as Delivery

describe('publishing', () => {
  test('stores the message in the same database, in its own table', () => {
    const id = broker.publish('order.created', { orderId: 1 }, { headers: { source: 'checkout' } })
    expect(broker.messages()).toEqual([
      expect.objectContaining({ id, topic: 'order.created', payload: { orderId: 1 }, headers: { source: 'checkout' }, state: 'ready', attempts: 0 }),
    ])
    expect(db.prepare('select topic from fixtures_broker_messages').pluck().all()).toEqual(['order.created'])
  })

  test('a message published in a transaction that rolls back is gone with the app data (outbox)', () => {
    const placeOrder = db.transaction(() => {
      db.prepare('insert into orders (id) values (1)').run()
      broker.publish('order.created', { orderId: 1 })
      throw new Error('payment declined')
    })
    expect(() => placeOrder()).toThrow('payment declined')
    expect(broker.messages()).toEqual([])
    expect(db.prepare('select count(*) from orders').pluck().get()).toBe(0)
  })

  test('a message published in a transaction that commits is kept with the app data (outbox)', () => {
    db.transaction(() => {
      db.prepare('insert into orders (id) values (1)').run()
      broker.publish('order.created', { orderId: 1 })
    })()
    expect(states()).toEqual([[{ orderId: 1 }, 'ready', 0]])
    expect(db.prepare('select count(*) from orders').pluck().get()).toBe(1)
  })

  test('the table, first made in a transaction that rolls back, is made again on next use', () => {
    db.exec('savepoint outer')
    broker.publish('t', 'lost')
    db.exec('rollback to outer; release outer')
    expect(db.prepare("select count(*) from sqlite_master where name = 'fixtures_broker_messages'").pluck().get()).toBe(0)
    broker.publish('t', 'kept')
    expect(states()).toEqual([['kept', 'ready', 0]])
  })

  test('topics and payloads with SQL in them are stored verbatim: they are bound, never SQL text', () => {
    const topic = "x'); drop table orders; --"
    const payload = "'; delete from fixtures_broker_messages; --"
    broker.publish(topic, payload)
    expect(broker.messages(topic).map((m) => [m.topic, m.payload])).toEqual([[topic, payload]])
    expect(db.prepare('select count(*) from orders').pluck().get()).toBe(0)
  })

  test('a payload JSON cannot hold is refused, naming the topic and why', () => {
    const cyclic: { self?: unknown } = {}
    cyclic.self = cyclic
    expect(() => broker.publish('t', { big: 1n })).toThrow(/payload published to "t" cannot be stored as JSON: Do not know how to serialize a BigInt/)
    expect(() => broker.publish('t', cyclic)).toThrow(/payload published to "t" cannot be stored as JSON: Converting circular structure/)
    expect(() => broker.publish('t', undefined)).toThrow('the payload published to "t" is undefined, which JSON cannot hold.')
    expect(() => broker.publish('t', () => 1)).toThrow(/is function, which JSON cannot hold/)
    expect(broker.messages()).toEqual([])
  })

  test('an empty topic, a negative delay or headers that are not strings are refused', () => {
    expect(() => broker.publish('', 1)).toThrow('broker.publish() needs a topic, a non-empty string; got "".')
    expect(() => broker.publish('t', 1, { delayMs: -5 })).toThrow('delayMs must be a number of milliseconds >= 0, got -5.')
    expect(() => broker.publish('t', 1, { headers: { n: 1 as unknown as string } })).toThrow('headers of a message to "t" must be an object of strings.')
  })

  test('errors are BrokerErrors with a code, so they can be matched across module copies', () => {
    const error = (() => {
      try {
        broker.publish('', 1)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(BrokerError)
    expect(error).toMatchObject({ name: 'BrokerError', code: 'SQLITE_FIXTURES_BROKER' })
  })

  test('a declared topic has a checked payload type; any other topic takes unknown', () => {
    // @ts-expect-error orderId is declared as a number
    broker.publish('order.created', { orderId: 'one' })
    broker.publish('anything', { free: 'form' })
    expectTypeOf(broker.receive('order.created')?.payload).toEqualTypeOf<{ orderId: number } | undefined>()
    expectTypeOf(broker.receive('anything')?.payload).toEqualTypeOf<unknown>()
  })
})

describe('options', () => {
  test('bad broker options are refused, naming the option', () => {
    expect(() => new Broker(db, { maxAttempts: 0 })).toThrow('option maxAttempts must be an integer >= 1, got 0.')
    expect(() => new Broker(db, { backoff: { factor: 0.5 } })).toThrow('option backoff.factor must be a number >= 1, got 0.5.')
    expect(() => new Broker(db, { leaseMs: Number.NaN })).toThrow('option leaseMs must be a number >= 0, got NaN.')
  })

  test('the clock starts at the real time, moves only when told, and never goes back', () => {
    const before = Date.now()
    const clock = new Broker(db).clock
    expect(clock.now()).toBeGreaterThanOrEqual(before)
    const start = clock.now()
    clock.advance(500)
    expect(clock.now()).toBe(start + 500)
    clock.set(new Date(start + 2_000))
    expect(clock.now()).toBe(start + 2_000)
    expect(() => clock.set(start)).toThrow(/clock.set\(\) moves time forward only/)
  })
})

describe('consuming', () => {
  test('messages of a topic come first in, first out, apart from other topics', () => {
    for (const orderId of [1, 2, 3]) broker.publish('order.created', { orderId })
    broker.publish('other', 'x')
    const taken = [1, 2, 3].map(() => broker.receive('order.created'))
    expect(taken.map((m) => m?.payload.orderId)).toEqual([1, 2, 3])
    expect(broker.receive('order.created')).toBeUndefined()
    expect(broker.receive('other')?.payload).toBe('x')
  })

  test('order among ready messages is by the time they became ready, then by id', () => {
    broker.publish('t', 'delayed first', { delayMs: 50 })
    broker.publish('t', 'retried')
    take('t').nack() // ready again at 100
    broker.clock.advance(10)
    broker.publish('t', 'published later')
    broker.clock.advance(90)
    expect([1, 2, 3].map(() => take('t').payload)).toEqual(['published later', 'delayed first', 'retried'])
  })

  test('a delayed message is delivered only when the clock passes its time', () => {
    broker.publish('t', 'later', { delayMs: 5_000 })
    expect(broker.receive('t')).toBeUndefined()
    broker.clock.advance(4_999)
    expect(broker.receive('t')).toBeUndefined()
    broker.clock.advance(1)
    expect(broker.receive('t')?.payload).toBe('later')
  })

  test('an expired lease delivers the message again, and the first delivery can no longer settle it', () => {
    broker.publish('t', 'job')
    const first = take('t')
    expect(broker.receive('t')).toBeUndefined()
    broker.clock.advance(1_000)
    const second = take('t')
    expect(second).toMatchObject({ id: first.id, attempts: 2, lastError: 'lease expired' })
    expect(() => first.ack()).toThrow(/no longer leased by this delivery \(attempt 1\)/)
    second.ack()
    expect(states()).toEqual([['job', 'acked', 2]])
  })

  test('receive can ask for its own lease length', () => {
    broker.publish('t', 'job')
    broker.receive('t', { leaseMs: 10 })
    broker.clock.advance(10)
    expect(broker.receive('t')?.attempts).toBe(2)
  })

  test('nack retries with back-off, then dead-letters after maxAttempts', () => {
    broker.publish('t', 'flaky')
    take('t').nack({ error: new Error('timeout') })
    expect(broker.messages()[0]).toMatchObject({ state: 'delayed', availableAt: 100, lastError: 'timeout' })
    broker.clock.advance(100)
    take('t').nack()
    expect(broker.messages()[0]).toMatchObject({ state: 'delayed', availableAt: 300 })
    broker.clock.advance(200)
    take('t').nack({ error: 'still failing' })
    expect(broker.messages('t', { state: 'dead' })).toEqual([expect.objectContaining({ attempts: 3, lastError: 'still failing' })])
    broker.clock.advance(60_000)
    expect(broker.receive('t')).toBeUndefined()
  })

  test('nack can choose its own retry delay', () => {
    broker.publish('t', 'job')
    take('t').nack({ delayMs: 7_000 })
    expect(broker.messages()[0]).toMatchObject({ state: 'delayed', availableAt: 7_000 })
  })

  test('a lease that expires on the last attempt dead-letters the message', () => {
    broker.publish('t', 'stuck')
    for (let i = 0; i < 3; i++) {
      expect(broker.receive('t')).toBeDefined()
      broker.clock.advance(1_000)
    }
    expect(broker.messages()).toEqual([expect.objectContaining({ state: 'dead', attempts: 3, lastError: 'lease expired' })])
    expect(broker.receive('t')).toBeUndefined()
  })
})

describe('messages()', () => {
  test('reports each message with its state at the current time', () => {
    broker.publish('t', 'ready')
    broker.publish('t', 'delayed', { delayMs: 5_000 })
    for (const name of ['leased', 'acked', 'dead']) broker.publish(name, name)
    take('leased')
    take('acked').ack()
    const dead = new Broker(db, { clock: broker.clock, maxAttempts: 1 })
    ;(dead.receive('dead') as Delivery).nack()
    expect(broker.messages().map((m) => [m.payload, m.state])).toEqual([
      ['ready', 'ready'],
      ['delayed', 'delayed'],
      ['leased', 'leased'],
      ['acked', 'acked'],
      ['dead', 'dead'],
    ])
  })

  test('filters by topic and by state', () => {
    broker.publish('a', 1)
    broker.publish('a', 2)
    broker.publish('b', 3)
    take('a').ack()
    expect(broker.messages('a').map((m) => m.payload)).toEqual([1, 2])
    expect(broker.messages('a', { state: 'ready' }).map((m) => m.payload)).toEqual([2])
    expect(broker.messages(undefined, { state: 'ready' }).map((m) => m.payload)).toEqual([2, 3])
  })
})

test('after close (the end of its test), every call is refused, naming the method', () => {
  broker.publish('t', 1)
  const delivery = take('t')
  broker.close()
  expect(() => broker.publish('t', 1)).toThrow('broker.publish() was called after the broker was torn down (its test ended).')
  expect(() => broker.receive('t')).toThrow(/broker\.receive\(\) was called after/)
  expect(() => broker.messages()).toThrow(/broker\.messages\(\) was called after/)
  expect(() => delivery.ack()).toThrow(/broker\.ack\(\) was called after/)
  expect(db.open).toBe(true)
})
