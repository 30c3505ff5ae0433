import type { Statement } from 'sqlite3'
import type { TestScope } from '../core/lifecycle/index.js'
import { bindCallbacks, checked, inCallersContext } from './callbacks.js'
import { Emitting, ForwardedEvents } from './events.js'
import { loggedStatement } from './params.js'

/** What a statement needs of the test's connection it was prepared on. */
export interface StatementHost {
  readonly scope: TestScope
  /** Checks that the work here is the test's own, and records `sql` in its SQL log. */
  use(what: string, sql?: string): void
  /** Forgets a statement once finalized: the connection finalizes the others before it closes. */
  finalized(statement: Statement): void
  /** The connection, as node-sqlite3's `finalize()` returns it. */
  readonly database: object
}

type StatementCall = 'run' | 'get' | 'all' | 'each' | 'map'

/**
 * A prepared statement of a test's node-sqlite3 connection: node-sqlite3's own, used only by
 * the test that prepared it, with its callbacks run in the caller's context (and `this` the
 * statement, with `lastID` and `changes`), and each run recorded in the test's SQL log.
 */
export class TestStatement extends Emitting {
  readonly #host: StatementHost
  readonly #real: Statement
  readonly #sql: string
  /** The values last bound, for the log of runs that give none. */
  #bound: readonly unknown[] = []
  readonly #events: ForwardedEvents
  /** What node-sqlite3 sets on the statement after `run`: the last row's id and how many rows changed. */
  lastID: number | undefined
  changes: number | undefined

  constructor(host: StatementHost, real: Statement, sql: string) {
    super()
    this.#host = host
    this.#real = real
    this.#sql = sql
    this.#events = new ForwardedEvents(real, host.scope, this)
  }

  protected get events(): ForwardedEvents {
    return this.#events
  }

  /** The driver's statement as `this` of a callback becomes this one, with what `run` set on it. */
  readonly #asThis = (self: unknown): unknown => {
    if (self !== this.#real) return self
    const { lastID, changes } = self as { lastID?: number; changes?: number }
    this.lastID = lastID
    this.changes = changes
    return this
  }

  /** Calls the driver's `method` (callbacks bound) after the checks; a refusal goes to the callback. */
  #forward(method: StatementCall | 'bind' | 'reset', args: unknown[], sql?: string): this {
    if (!checked(args, () => this.#host.use('a node-sqlite3 statement', sql))) return this
    ;(this.#real as unknown as Record<string, (...args: unknown[]) => unknown>)[method]?.call(this.#real, ...bindCallbacks(this.#host.scope, args, this.#asThis))
    return this
  }

  #call(method: StatementCall, args: unknown[]): this {
    const given = args.some((arg) => typeof arg !== 'function')
    return this.#forward(method, args, loggedStatement(this.#sql, given ? args : this.#bound))
  }

  bind(...args: unknown[]): this {
    this.#bound = args.filter((arg) => typeof arg !== 'function')
    return this.#forward('bind', args)
  }

  reset(...args: unknown[]): this {
    return this.#forward('reset', args)
  }

  /** Finalizes the statement; its test's connection no longer waits for it to close. Never refused: finalizing frees, it runs nothing. */
  finalize(...args: unknown[]): object {
    this.#host.finalized(this.#real)
    const callbacks = args.map((arg) => (typeof arg === 'function' ? inCallersContext(arg as (...answer: never[]) => unknown) : arg))
    ;(this.#real.finalize as (...args: unknown[]) => unknown).call(this.#real, ...callbacks)
    return this.#host.database
  }

  run(...args: unknown[]): this {
    return this.#call('run', args)
  }

  get(...args: unknown[]): this {
    return this.#call('get', args)
  }

  all(...args: unknown[]): this {
    return this.#call('all', args)
  }

  each(...args: unknown[]): this {
    return this.#call('each', args)
  }

  map(...args: unknown[]): this {
    return this.#call('map', args)
  }

  get [Symbol.toStringTag](): string {
    return 'TestSqlite3Statement'
  }
}
