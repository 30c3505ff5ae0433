import type { TestScope } from '../core/lifecycle/index.js'
import { knexTimeoutError } from './orm.js'

/**
 * One test's connection for one Knex client, lent as Knex's SQLite pool lends its one
 * connection (SQLite's default pool has a single connection): a second acquisition waits
 * until the first is released, so a transaction holds it to the end, as in production, and
 * a query outside the transaction waits for it (or times out, naming the likely mistake).
 */
export class ConnectionLease<C> {
  readonly scope: TestScope
  readonly #open: () => Promise<C>
  #connection: Promise<C> | undefined
  #busy = false
  readonly #waiting: (() => void)[] = []
  /** Set by `knex.destroy()` in the test: later acquisitions fail, as on a destroyed Knex. */
  destroyed = false

  constructor(scope: TestScope, open: () => Promise<C>) {
    this.scope = scope
    this.#open = open
  }

  /** The connection, once the one before has been released; `timeoutMs` as Knex's `acquireConnectionTimeout`. */
  async acquire(timeoutMs: number): Promise<C> {
    if (this.destroyed) throw new Error('Unable to acquire a connection')
    const connection = await (this.#connection ??= this.#open())
    if (this.#busy) await this.#turn(timeoutMs)
    this.#busy = true
    return connection
  }

  #turn(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const next = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        const index = this.#waiting.indexOf(next)
        if (index !== -1) this.#waiting.splice(index, 1)
        reject(knexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'))
      }, timeoutMs)
      this.#waiting.push(next)
    })
  }

  /** Hands the connection to the next in line, or marks it free. */
  release(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#busy = false
  }
}
