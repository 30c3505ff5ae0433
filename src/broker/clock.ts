import { BrokerError } from './errors.js'

/**
 * The broker's time, in milliseconds since the epoch. It starts at the real time (or the
 * time given) and moves only when a test moves it, so delayed and retried messages are
 * reached without sleeping: `advance(ms)`, `set(time)`, or `broker.drain({ advanceTime: true })`.
 */
export class BrokerClock {
  #now: number

  constructor(start: number | Date = Date.now()) {
    this.#now = +start
    if (!Number.isFinite(this.#now)) {
      throw new BrokerError(`sqlite-fixtures: new BrokerClock(start) needs a time in ms or a valid Date, got ${String(start)}.`)
    }
  }

  /** The current time, in ms since the epoch. */
  now(): number {
    return this.#now
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new BrokerError(`sqlite-fixtures: clock.advance(ms) needs a number >= 0, got ${String(ms)}.`)
    }
    this.#now += ms
  }

  /** Moves time forward to `time`; time never goes back, or leases and delays would break. */
  set(time: number | Date): void {
    const next = +time
    if (!Number.isFinite(next) || next < this.#now) {
      throw new BrokerError(
        `sqlite-fixtures: clock.set() moves time forward only (now ${this.#now}, asked ${String(time)}); ` +
          'make a broker with an earlier clock instead.',
      )
    }
    this.#now = next
  }
}
