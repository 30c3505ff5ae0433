import type { Database } from 'better-sqlite3'
import { scopeIfAny } from '../core/lifecycle/index.js'
import { FixtureUnavailableError } from '../core/base/index.js'
import { isTestDatabase } from '../core/access/index.js'
import { BrokerClock } from './clock.js'
import { BrokerError } from './errors.js'
import { followTests, standingHandlers, subscribeForEveryTest } from './following.js'
import { checkDelay, checkHeaders, checkNumber, checkTopic, serializePayload } from './input.js'
import { Store, type Row } from './store.js'
import type {
  BrokerOptions,
  Delivery,
  DrainOptions,
  DrainSummary,
  Handler,
  Message,
  MessageFilter,
  MessageState,
  Payload,
  PublishOptions,
  ReceiveOptions,
  Topic,
} from './types.js'

/** Which `DrainSummary` count a delivery's stored state, after its handler, adds to. */
const outcomes = { acked: 'acked', pending: 'retried', dead: 'deadLettered' } as const

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
 * Time is the broker's own `clock`, which moves only when a test moves it.
 *
 * Made on `testDatabase()` (the app's broker, in tests), a broker follows the running test:
 * every call goes to that test's own broker (`ctx.broker`).
 */
export class Broker {
  readonly #clock: BrokerClock
  readonly #follows: boolean
  readonly #store: Store
  readonly #handlers = new Map<string, Handler<never>>()
  readonly #leaseMs: number
  readonly #maxAttempts: number
  readonly #backoff: { baseMs: number; factor: number; maxMs: number }
  #closed = false

  constructor(db: Database, options: BrokerOptions = {}) {
    const { baseMs = 1_000, factor = 2, maxMs = 60_000 } = options.backoff ?? {}
    this.#leaseMs = checkNumber('option leaseMs', options.leaseMs ?? 30_000, 0)
    this.#maxAttempts = checkNumber('option maxAttempts', options.maxAttempts ?? 5, 1, true)
    this.#backoff = {
      baseMs: checkNumber('option backoff.baseMs', baseMs, 0),
      factor: checkNumber('option backoff.factor', factor, 1),
      maxMs: checkNumber('option backoff.maxMs', maxMs, 0),
    }
    this.#follows = isTestDatabase(db)
    if (this.#follows) followTests({ leaseMs: this.#leaseMs, maxAttempts: this.#maxAttempts, backoff: this.#backoff, clock: options.clock })
    this.#clock = options.clock ?? new BrokerClock()
    this.#store = new Store(db)
  }

  /** The broker's time; advance it to reach delayed and retried messages. */
  get clock(): BrokerClock {
    return this.#follows ? this.#testBroker('clock').clock : this.#clock
  }

  /** Publishes a message; returns its id. Inside a transaction, it lives or dies with it. */
  publish<T extends Topic>(topic: T, payload: Payload<T>, options: PublishOptions = {}): number {
    if (this.#follows) return this.#testBroker('publish').publish(topic, payload, options)
    this.#check('publish')
    checkTopic('publish', topic)
    const now = this.#clock.now()
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
   * Ack or nack it before its lease ends, or it is delivered again.
   */
  receive<T extends Topic>(topic: T, options: ReceiveOptions = {}): Delivery<Payload<T>> | undefined {
    if (this.#follows) return this.#testBroker('receive').receive(topic, options)
    this.#check('receive')
    checkTopic('receive', topic)
    const leaseMs = options.leaseMs === undefined ? this.#leaseMs : checkDelay('leaseMs', options.leaseMs)
    const row = this.#nextDue(topic)
    return row && (this.#lease(row, leaseMs) as Delivery<Payload<T>>)
  }

  /**
   * Handles a topic's messages in `drain()` (one handler per topic); returns a function that
   * unsubscribes. On a broker made on `testDatabase()`, a handler subscribed outside any test
   * (an app's consumer, at import) is kept for every test's broker; a test may replace it.
   */
  subscribe<T extends Topic>(topic: T, handler: Handler<Payload<T>>): () => void {
    if (this.#follows) {
      if (scopeIfAny()) return this.#testBroker('subscribe').subscribe(topic, handler)
      checkTopic('subscribe', topic)
      return subscribeForEveryTest(topic, handler as Handler<never>)
    }
    this.#check('subscribe')
    checkTopic('subscribe', topic)
    const existing = this.#handlers.get(topic)
    if (existing && existing !== standingHandlers().get(topic)) {
      throw new BrokerError(`sqlite-fixtures: topic "${topic}" already has a handler; one handler per topic.`)
    }
    this.#handlers.set(topic, handler as Handler<never>)
    return () => void this.#handlers.delete(topic)
  }

  /**
   * Delivers due messages, oldest first, to their topics' handlers until none is due: a
   * handler that returns acks (unless it settled the message itself), one that throws nacks.
   * With `advanceTime`, the clock then jumps to the next delayed or retried message, until
   * nothing is left to deliver. A due message on a topic with no handler is an error, and
   * stays as it was.
   */
  async drain(options: DrainOptions = {}): Promise<DrainSummary> {
    if (this.#follows) return this.#testBroker('drain').drain(options)
    const summary: DrainSummary = { delivered: 0, acked: 0, retried: 0, deadLettered: 0 }
    const limit = checkNumber('drain() option maxDeliveries', options.maxDeliveries ?? 10_000, 1, true)
    for (;;) {
      this.#check('drain') // again on each turn: a handler may outlive its test
      const row = this.#nextDue(null)
      if (!row) {
        const wake = options.advanceTime ? this.#store.sql.nextWake.get({ now: this.#clock.now() }) : null
        if (typeof wake !== 'number') return summary
        this.#clock.set(wake)
        continue
      }
      if (summary.delivered === limit) {
        throw new BrokerError(
          `sqlite-fixtures: drain() delivered ${limit} messages and more are due: a handler may be ` +
            `publishing what it handles (last topic "${row.topic}"). If that many are expected, pass drain({ maxDeliveries }).`,
        )
      }
      summary.delivered++
      const outcome = await this.#handle(row)
      if (outcome) summary[outcome]++
    }
  }

  /**
   * The messages published so far (of one topic, or all), oldest first, with their state at
   * the clock's time, for assertions. A lease that ran out on the last attempt shows as `dead`.
   */
  messages<T extends Topic>(topic?: T, filter: MessageFilter = {}): Message<Payload<T>>[] {
    if (this.#follows) return this.#testBroker('messages').messages(topic, filter)
    this.#check('messages')
    this.#expireLastLeases()
    const now = this.#clock.now()
    const all = this.#store.sql.all.all({ topic: topic ?? null }).map((row) => this.#message(row as Row, now))
    return (filter.state ? all.filter((message) => message.state === filter.state) : all) as Message<Payload<T>>[]
  }

  /**
   * Ends the broker's life (its test is over): any later call is an error. The database is
   * the db layer's. On a broker that follows the tests, a no-op: each test's broker is
   * closed with its test.
   */
  close(): void {
    if (this.#follows) return
    this.#closed = true
    this.#handlers.clear()
  }

  /** The running test's broker, which a broker on `testDatabase()` hands every call to. */
  #testBroker(method: string): Broker {
    const scope = scopeIfAny()
    if (!scope) {
      throw new FixtureUnavailableError(
        `sqlite-fixtures: broker.${method}() was called outside a test on a Broker made on testDatabase(), which hands ` +
          "every call to the running test's broker. Call it from a test or code it runs; handlers subscribed " +
          'outside a test are kept for every test.',
      )
    }
    return scope.get('broker')
  }

  #check(method: string): void {
    if (this.#closed) {
      throw new BrokerError(
        `sqlite-fixtures: broker.${method}() was called after the broker was torn down (its test ended). ` +
          'Await everything the test starts before it returns.',
      )
    }
  }

  /** Leases a due message to its topic's handler, settles it by what the handler did, and says how it ended. */
  async #handle(row: Row): Promise<(typeof outcomes)[keyof typeof outcomes] | undefined> {
    const handler = this.#handlers.get(row.topic)
    if (!handler) {
      throw new BrokerError(
        `sqlite-fixtures: drain() found a message on topic "${row.topic}", which has no handler. ` +
          `Call broker.subscribe('${row.topic}', handler) first, or take it with broker.receive('${row.topic}').`,
      )
    }
    const delivery = this.#lease(row, this.#leaseMs)
    let failure: { error: unknown } | undefined
    try {
      await handler(delivery as Delivery<never>)
    } catch (error) {
      failure = { error }
    }
    this.#check('drain')
    if (this.#holds(delivery)) {
      if (failure) delivery.nack(failure)
      else delivery.ack()
    } else if (failure) {
      throw failure.error // it settled the message, then threw: a bug in the handler, not a retry
    }
    const { state } = this.#store.sql.byId.get({ id: delivery.id }) as Row
    return state === 'leased' ? undefined : outcomes[state]
  }

  /** A lease that ran out on the last allowed attempt dead-letters its message. */
  #expireLastLeases(): void {
    this.#store.sql.expireLastLeases.run({ now: this.#clock.now(), maxAttempts: this.#maxAttempts })
  }

  #nextDue(topic: string | null): Row | undefined {
    this.#expireLastLeases()
    return this.#store.sql.nextDue.get({ now: this.#clock.now(), topic }) as Row | undefined
  }

  #lease(row: Row, leaseMs: number): Delivery {
    const { sql } = this.#store
    const now = this.#clock.now()
    sql.lease.run({ id: row.id, now, leaseUntil: now + leaseMs })
    return this.#delivery(sql.byId.get({ id: row.id }) as Row, now)
  }

  #delivery(row: Row, now: number): Delivery {
    const { sql } = this.#store
    const { id, attempts, topic } = row
    const settled = (changes: number) => {
      if (changes !== 1) {
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
        settled(sql.ack.run({ id, attempts }).changes)
      },
      nack: (options = {}) => {
        this.#check('nack')
        const error = reason(options.error)
        if (attempts >= this.#maxAttempts) return settled(sql.deadLetter.run({ id, attempts, error }).changes)
        const delay = options.delayMs === undefined ? this.#backoffMs(attempts) : checkDelay('nack delayMs', options.delayMs)
        settled(sql.retry.run({ id, attempts, availableAt: this.#clock.now() + delay, error }).changes)
      },
    }
  }

  #backoffMs(attempts: number): number {
    const { baseMs, factor, maxMs } = this.#backoff
    return Math.min(maxMs, baseMs * factor ** (attempts - 1))
  }

  /** Whether this delivery still holds its message's lease (not acked, nacked or redelivered). */
  #holds(delivery: Delivery): boolean {
    const row = this.#store.sql.byId.get({ id: delivery.id }) as Row | undefined
    return row?.state === 'leased' && row.attempts === delivery.attempts
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
