declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace SqliteFixtures {
    /**
     * Topic names and their payload types, for type-checked `publish` and `subscribe`.
     * Extend it to declare yours:
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

/** A topic: a declared one (with its payload type), or any other string. */
export type Topic = keyof SqliteFixtures.BrokerTopics | (string & {})

/** The payload type of a topic: as declared in `BrokerTopics`, or `unknown`. */
export type Payload<T extends Topic> = T extends keyof SqliteFixtures.BrokerTopics ? SqliteFixtures.BrokerTopics[T] : unknown

/**
 * Where a message is: `ready` to deliver, `delayed` (ready later), `leased` to a consumer
 * until its lease ends, `acked` (done), or `dead` (dead-lettered after too many attempts).
 */
export type MessageState = 'ready' | 'delayed' | 'leased' | 'acked' | 'dead'

/** A message as stored, for assertions. */
export interface Message<P = unknown> {
  readonly id: number
  readonly topic: string
  readonly payload: P
  readonly headers: Readonly<Record<string, string>>
  readonly state: MessageState
  /** Deliveries so far. */
  readonly attempts: number
  readonly publishedAt: number
  /** When it is (or was) next deliverable. */
  readonly availableAt: number
  /** Why the last delivery failed, if it did. */
  readonly lastError: string | undefined
}

/** A message leased to a consumer: ack it when done, nack it to retry later. */
export interface Delivery<P = unknown> extends Message<P> {
  /** When the lease ends; after that the message is delivered again. */
  readonly leaseUntil: number
  /** Marks the message done. */
  ack(): void
  /**
   * Gives the message back: it is retried after `delayMs` (default: the back-off for its
   * attempt), or dead-lettered when it has had `maxAttempts` deliveries.
   */
  nack(options?: { delayMs?: number; error?: unknown }): void
}

export interface PublishOptions {
  /** Deliver no sooner than this many ms from now (by the broker's clock). */
  delayMs?: number
  /** String headers stored with the message. */
  headers?: Readonly<Record<string, string>>
}

export interface BrokerOptions {
  /** The clock; default a `BrokerClock` starting at the real time. */
  clock?: import('./clock.js').BrokerClock
  /** How long a delivery is leased before it is delivered again. Default 30,000 ms. */
  leaseMs?: number
  /** Deliveries before a message is dead-lettered. Default 5. */
  maxAttempts?: number
  /** Retry delay after the n-th failed attempt: `min(maxMs, baseMs * factor ** (n - 1))`. */
  backoff?: { baseMs?: number; factor?: number; maxMs?: number }
}

/** A handler for `subscribe`; throwing (or rejecting) nacks the message. */
export type Handler<P = unknown> = (message: Delivery<P>) => void | Promise<void>

/** What `drain()` did. */
export interface DrainSummary {
  delivered: number
  acked: number
  retried: number
  deadLettered: number
}

export {}
