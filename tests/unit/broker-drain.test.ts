import Database from 'better-sqlite3'
import { beforeEach, expect, test } from 'vitest'
import { Broker, BrokerClock } from '../../src/broker/index.js'

let db: Database.Database
let broker: Broker

beforeEach(() => {
  db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  broker = new Broker(db, { clock: new BrokerClock(0), leaseMs: 1_000, maxAttempts: 3, backoff: { baseMs: 100, factor: 2 } })
  return () => db.close()
})

test('drain delivers due messages to their handlers, in order, and acks them', async () => {
  const seen: unknown[] = []
  broker.subscribe('t', (message) => void seen.push(message.payload))
  broker.publish('t', 1)
  broker.publish('t', 2)
  expect(await broker.drain()).toEqual({ delivered: 2, acked: 2, retried: 0, deadLettered: 0 })
  expect(seen).toEqual([1, 2])
  expect(broker.messages('t', { state: 'acked' })).toHaveLength(2)
})

test('drain awaits async handlers, and a rejection nacks', async () => {
  broker.subscribe('t', async (message) => {
    await Promise.resolve()
    if (message.payload === 'bad') throw new Error('rejected')
  })
  broker.publish('t', 'good')
  broker.publish('t', 'bad')
  expect(await broker.drain()).toEqual({ delivered: 2, acked: 1, retried: 1, deadLettered: 0 })
  expect(broker.messages('t', { state: 'delayed' })).toEqual([expect.objectContaining({ payload: 'bad', lastError: 'rejected' })])
})

test('drain leaves delayed messages alone unless asked to advance time', async () => {
  broker.subscribe('t', () => {})
  broker.publish('t', 'later', { delayMs: 60_000 })
  expect(await broker.drain()).toEqual({ delivered: 0, acked: 0, retried: 0, deadLettered: 0 })
  expect(broker.clock.now()).toBe(0)
})

test('drain with advanceTime reaches delayed and retried messages without sleeping', async () => {
  let calls = 0
  broker.subscribe('t', () => {
    calls++
    if (calls < 3) throw new Error(`failure ${calls}`)
  })
  broker.publish('t', 'eventually', { delayMs: 60_000 })
  expect(await broker.drain({ advanceTime: true })).toEqual({ delivered: 3, acked: 1, retried: 2, deadLettered: 0 })
  expect(broker.clock.now()).toBe(60_000 + 100 + 200)
})

test('a handler that always fails ends in the dead-letter state, not in a loop', async () => {
  broker.subscribe('t', () => {
    throw new Error('broken handler')
  })
  broker.publish('t', 'poison')
  expect(await broker.drain({ advanceTime: true })).toEqual({ delivered: 3, acked: 0, retried: 2, deadLettered: 1 })
  expect(broker.messages('t', { state: 'dead' })[0]?.lastError).toBe('broken handler')
})

test('a handler that settles the message itself is counted by what it did', async () => {
  broker.subscribe('t', (message) => message.nack({ delayMs: 5_000 }))
  broker.publish('t', 'job')
  expect(await broker.drain()).toEqual({ delivered: 1, acked: 0, retried: 1, deadLettered: 0 })
  expect(broker.messages()[0]).toMatchObject({ state: 'delayed', availableAt: 5_000 })
})

test('a due message on a topic nobody handles is an error naming the topic, and is left as it was', async () => {
  broker.publish('unhandled.topic', 1)
  await expect(broker.drain()).rejects.toThrow(
    `drain() found a message on topic "unhandled.topic", which has no handler. ` +
      `Call broker.subscribe('unhandled.topic', handler) first, or take it with broker.receive('unhandled.topic').`,
  )
  expect(broker.messages()).toEqual([expect.objectContaining({ state: 'ready', attempts: 0, lastError: undefined })])
})

test('a handler that keeps publishing what it handles is stopped with an error', async () => {
  broker.subscribe('echo', (message) => void broker.publish('echo', message.payload))
  broker.publish('echo', 'again')
  await expect(broker.drain({ maxDeliveries: 50 })).rejects.toThrow(
    /drain\(\) delivered 50 messages and more are due: a handler may be publishing what it handles \(last topic "echo"\)/,
  )
  expect(broker.messages('echo', { state: 'acked' })).toHaveLength(50)
})

test('unsubscribing removes the handler', async () => {
  const unsubscribe = broker.subscribe('t', () => {})
  unsubscribe()
  broker.publish('t', 1)
  await expect(broker.drain()).rejects.toThrow(/topic "t", which has no handler/)
})

test('drain stops with an error when the broker is closed while a handler runs', async () => {
  broker.subscribe('t', () => broker.close())
  broker.publish('t', 1)
  broker.publish('t', 2)
  await expect(broker.drain()).rejects.toThrow(/broker\.drain\(\) was called after the broker was torn down/)
})
