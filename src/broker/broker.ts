import type { Database } from 'better-sqlite3'
import { BrokerClock } from './clock.js'
import { BrokerError } from './errors.js'
import { checkDelay, checkHeaders, checkTopic, serializePayload } from './payload.js'
import { Store, type Row } from './store.js'
import type {
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

/** Enough for any test; more means a handler that keeps publishing what it handles. */
const drainLimit = 10_000

function reason(error: unknown): string | null {
  if (error === undefined) return null
  return error instanceof Error ? error.message : String(error)
}

/**
 * A message broker stored in the test's own SQLite database, so code that publishes can be
 * tested without Redis or RabbitMQ. Publishing is an INSERT on the caller's connection, so
 * inside a transaction it commits or rolls back with the caller's writes (a transactional
 * outbox). Delivery is at least once: a consumer leases a message, then acks or nacks it;
 * an expired lease delivers it again; failures are retried with back-off and dead-lettered
 * after `maxAttempts`. Messages of a topic are delivered in order (FIFO among ready ones).
 */
export class Broker {
  /** The broker's time; advance it to reach delayed and retried messages. */
  readonly clock: BrokerClock
  readonly #store: Store
  readonly #handlers = new Map<string, Handler<never>>()
  readonly #leaseMs: number
  readonly #maxAttempts: number
  readonly #backoff: { baseMs: number; factor: number; maxMs: number }
  #closed = false

  constructor(db: Database, options: BrokerOptions = {}) {
    this.#store = new Store(db)
    this.clock = options.clock ?? new BrokerClock()
    this.#leaseMs = checkDelay('option leaseMs', options.leaseMs ?? 30_000)
    this.#maxAttempts = options.maxAttempts ?? 5
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new BrokerError(`sqlite-fixtures: option maxAttempts must be an integer >= 1, got ${String(options.maxAttempts)}.`)
    }
    this.#backoff = { baseMs: 1_000, factor: 2, maxMs: 60_000, ...options.backoff }
  }

  /** Publishes a message; returns its id. Inside a transaction, it lives or dies with it. */
  publish<T extends Topic>(topic: T, payload: Payload<T>, options: PublishOptions = {}): number {
    this.#check('publish')
    checkTopic('publish', topic)
    const now = this.clock.now()
    const message = {
      topic,
      payload: serializePayload(topic, payload),
      headers: JSON.stringify(checkHeaders(topic, options.headers)),
      now,
      availableAt: now + checkDelay('delayMs', options.delayMs),
    }
    return Number(this.#store.sql.insert.run(message).lastInsertRowid)
  }

  /**
   * Leases the next due message of a topic (the oldest first), or returns `undefined`.
   * Ack or nack it before `leaseMs` passes, or it is delivered again.
   */
  receive<T extends Topic>(topic: T, options: { leaseMs?: number } = {}): Delivery<Payload<T>> | undefined {
    this.#check('receive')
    checkTopic('receive', topic)
    return this.#leaseNext(topic, checkDelay('leaseMs', options.leaseMs ?? this.#leaseMs)) as Delivery<Payload<T>> | undefined
  }

  /** Handles a topic's messages in `drain()`; returns a function that unsubscribes. */
  subscribe<T extends Topic>(topic: T, handler: Handler<Payload<T>>): () => void {
    this.#check('subscribe')
    checkTopic('subscribe', topic)
    if (this.#handlers.has(topic)) {
      throw new BrokerError(`sqlite-fixtures: topic "${topic}" already has a handler; one handler per topic.`)
    }
    this.#handlers.set(topic, handler as Handler<never>)
    return () => void this.#handlers.delete(topic)
  }

  /**
   * Delivers due messages to their topics' handlers until none is due: a handler that
   * returns acks, one that throws nacks. With `advanceTime`, the clock then jumps to the
   * next delayed or retried message, until nothing is left to deliver.
   */
  async drain(options: { advanceTime?: boolean } = {}): Promise<DrainSummary> {
    this.#check('drain')
    const summary: DrainSummary = { delivered: 0, acked: 0, retried: 0, deadLettered: 0 }
    for (;;) {
      const delivery = this.#leaseNext(null, this.#leaseMs)
      if (!delivery) {
        const wake = options.advanceTime ? this.#store.sql.nextWake.get({ now: this.clock.now() }) : null
        if (typeof wake !== 'number') return summary
        this.clock.set(wake)
        continue
      }
      if (++summary.delivered > drainLimit) {
        throw new BrokerError(
          `sqlite-fixtures: drain() delivered ${drainLimit} messages and more are due: a handler may be ` +
            `publishing what it handles (last topic "${delivery.topic}").`,
        )
      }
      const handler = this.#handlers.get(delivery.topic)
      if (!handler) {
        delivery.nack({ delayMs: 0, error: 'no handler' })
        throw new BrokerError(
          `sqlite-fixtures: drain() found a message on topic "${delivery.topic}", which has no handler. ` +
            `Call broker.subscribe('${delivery.topic}', handler) first, or take it with broker.receive('${delivery.topic}').`,
        )
      }
      try {
        await handler(delivery as Delivery<never>)
        if (this.#isLeased(delivery)) delivery.ack()
        summary.acked++
      } catch (error) {
        if (!this.#isLeased(delivery)) throw error
        delivery.nack({ error })
        if (delivery.attempts >= this.#maxAttempts) summary.deadLettered++
        else summary.retried++
      }
    }
  }

  /** The messages published so far (of one topic, or all), oldest first, for assertions. */
  messages<T extends Topic>(topic?: T, filter: { state?: MessageState } = {}): Message<Payload<T>>[] {
    this.#check('messages')
    const now = this.clock.now()
    const all = this.#store.sql.all.all({ topic: topic ?? null }).map((row) => this.#message(row as Row, now))
    return (filter.state ? all.filter((message) => message.state === filter.state) : all) as Message<Payload<T>>[]
  }

  /** Ends the broker's life (its test is over): any later call is an error. The database is the db layer's. */
  close(): void {
    this.#closed = true
    this.#handlers.clear()
  }

  #check(method: string): void {
    if (this.#closed) {
      throw new BrokerError(
        `sqlite-fixtures: broker.${method}() was called after the broker was torn down (its test ended). ` +
          'Await everything the test starts before it returns.',
      )
    }
  }

  #leaseNext(topic: string | null, leaseMs: number): Delivery | undefined {
    const { sql } = this.#store
    const now = this.clock.now()
    for (;;) {
      const row = sql.nextDue.get({ now, topic }) as Row | undefined
      if (!row) return undefined
      if (row.state === 'leased' && row.attempts >= this.#maxAttempts) {
        // Its lease ran out on the last allowed attempt.
        sql.deadLetter.run({ id: row.id, error: row.last_error ?? 'lease expired' })
        continue
      }
      sql.lease.run({ id: row.id, now, leaseUntil: now + leaseMs })
      return this.#delivery({ ...row, state: 'leased', attempts: row.attempts + 1, lease_until: now + leaseMs }, now)
    }
  }

  #delivery(row: Row, now: number): Delivery {
    const { sql } = this.#store
    const { id, attempts, topic } = row
    const settle = (done: boolean) => {
      if (!done) {
        throw new BrokerError(
          `sqlite-fixtures: message ${id} on "${topic}" is no longer leased by this delivery (attempt ${attempts}): ` +
            'its lease ran out and it was delivered again, or it was already acked or nacked.',
        )
      }
    }
    return {
      ...this.#message(row, now),
      leaseUntil: row.lease_until ?? now,
      ack: () => {
        this.#check('ack')
        settle(sql.ack.run({ id, attempts }).changes === 1)
      },
      nack: (options = {}) => {
        this.#check('nack')
        const error = reason(options.error)
        if (attempts >= this.#maxAttempts) {
          settle(this.#isLeasedRow(id, attempts))
          sql.deadLetter.run({ id, error })
          return
        }
        const delay = options.delayMs === undefined ? this.#backoffMs(attempts) : checkDelay('nack delayMs', options.delayMs)
        settle(sql.retry.run({ id, attempts, availableAt: this.clock.now() + delay, error }).changes === 1)
      },
    }
  }

  #backoffMs(attempts: number): number {
    const { baseMs, factor, maxMs } = this.#backoff
    return Math.min(maxMs, baseMs * factor ** (attempts - 1))
  }

  #isLeased(delivery: Delivery): boolean {
    return this.#isLeasedRow(delivery.id, delivery.attempts)
  }

  #isLeasedRow(id: number, attempts: number): boolean {
    const row = this.#store.sql.byId.get({ id }) as Row | undefined
    return row?.state === 'leased' && row.attempts === attempts
  }

  #message(row: Row, now: number): Message {
    let state: MessageState
    if (row.state === 'pending') state = row.available_at <= now ? 'ready' : 'delayed'
    else if (row.state === 'leased') state = (row.lease_until ?? 0) <= now ? 'ready' : 'leased'
    else state = row.state
    return {
      id: row.id,
      topic: row.topic,
      payload: JSON.parse(row.payload) as unknown,
      headers: JSON.parse(row.headers) as Record<string, string>,
      state,
      attempts: row.attempts,
      publishedAt: row.published_at,
      availableAt: row.available_at,
      lastError: row.last_error ?? undefined,
    }
  }
}
