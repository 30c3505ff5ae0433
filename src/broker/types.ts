import type { BrokerClock } from './clock.js'

declare global {
  namespace SqliteFixtures {
    /**
     * Topic names and their payload types, for type-checked `publish`, `receive` and
     * `subscribe`. Extend it to declare yours:
     *
     * ```ts
     * declare global {
     *   namespace SqliteFixtures {
     *     interface BrokerTopics { 'order.placed': { orderId: number } }
     *   }
     * }
     * ```
     */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface BrokerTopics {}
  }
}

/** The declared topics and their payload types: `SqliteFixtures.BrokerTopics` (extend that one). */
export type BrokerTopics = SqliteFixtures.BrokerTopics

/** A topic: a declared one (with its payload type), or any other string. */
export type Topic = keyof BrokerTopics | (string & {})

/** The payload type of a topic: as declared in `BrokerTopics`, or `unknown`. */
export type Payload<T extends Topic> = T extends keyof BrokerTopics ? BrokerTopics[T] : unknown

/**
 * Where a message is: `ready` to deliver, `delayed` (ready later), `leased` to a consumer
 * until its lease ends, `acked` (done), or `dead` (dead-lettered after too many attempts).
 */
export type MessageState = 'ready' | 'delayed' | 'leased' | 'acked' | 'dead'

/** A message as stored, for assertions. */
export interface Message<P = unknown> {
  /** The id `publish` returned. */
  readonly id: number
  readonly topic: string
  /** The payload as read back from JSON (a copy, not the object published). */
  readonly payload: P
  readonly headers: Readonly<Record<string, string>>
  /** Its state at the broker clock's current time. */
  readonly state: MessageState
  /** Deliveries so far. */
  readonly attempts: number
  /** When it was published, by the broker's clock (ms since the epoch). */
  readonly publishedAt: number
  /** When it is (or was) next deliverable. */
  readonly availableAt: number
  /** Why the last delivery failed (a nack's error, or `lease expired`), if one did. */
  readonly lastError: string | undefined
}

/** A message leased to a consumer: ack it when done, nack it to retry later. */
export interface Delivery<P = unknown> extends Message<P> {
  /** When the lease ends; after that the message is delivered again. */
  readonly leaseUntil: number
  /** Marks the message done. Throws if this delivery no longer holds the lease. */
  ack(): void
  /**
   * Gives the message back: it is retried after `delayMs` (default: the back-off for its
   * attempt), or dead-lettered when it has had `maxAttempts` deliveries. Throws if this
   * delivery no longer holds the lease.
   */
  nack(options?: NackOptions): void
}

export interface NackOptions {
  /** Retry after this many ms instead of the back-off delay. */
  delayMs?: number
  /** Why it failed; its message is kept as the message's `lastError`. */
  error?: unknown
}

export interface PublishOptions {
  /** Deliver no sooner than this many ms from now (by the broker's clock). Default 0. */
  delayMs?: number
  /** String headers stored with the message. */
  headers?: Readonly<Record<string, string>>
}

export interface ReceiveOptions {
  /** How long the message is leased before it is delivered again. Default: the broker's `leaseMs`. */
  leaseMs?: number
}

export interface DrainOptions {
  /**
   * When nothing is due, move the clock to the next delayed, retried or leased message and
   * go on, until nothing is left to deliver. Default false: deliver what is due now.
   */
  advanceTime?: boolean
  /**
   * Deliveries after which drain gives up with an error, so a handler that publishes what it
   * handles cannot loop forever. Default 10,000. (A handler that always fails needs no limit:
   * its message is dead-lettered after `maxAttempts`.)
   */
  maxDeliveries?: number
}

export interface MessageFilter {
  /** Only messages in this state. */
  state?: MessageState
}

export interface BrokerOptions {
  /** The clock; default a `BrokerClock` starting at the real time. */
  clock?: BrokerClock
  /** How long a delivery is leased before it is delivered again. Default 30,000 ms. */
  leaseMs?: number
  /** Deliveries before a message is dead-lettered. Default 5. */
  maxAttempts?: number
  /**
   * Retry delay after the n-th failed attempt: `min(maxMs, baseMs * factor ** (n - 1))`.
   * Default `{ baseMs: 1000, factor: 2, maxMs: 60000 }`.
   */
  backoff?: { baseMs?: number; factor?: number; maxMs?: number }
}

/** A handler for `subscribe`: returning acks the message, throwing (or rejecting) nacks it. */
export type Handler<P = unknown> = (message: Delivery<P>) => void | Promise<void>

/** What `drain()` did. */
export interface DrainSummary {
  /** Deliveries made to handlers (a retried message counts once per delivery). */
  delivered: number
  /** Deliveries that ended acked. */
  acked: number
  /** Deliveries that failed and were put back for a later attempt. */
  retried: number
  /** Deliveries that failed on the last allowed attempt. */
  deadLettered: number
}
