import { EventEmitter } from 'node:events'
import { currentScope, scopeIfAny, type TestScope } from '../core/lifecycle/index.js'
import { answerLater, checked, madeOutside } from './callbacks.js'
import type { TestSqlite3Connection } from './connection.js'
import type { TestStatement } from './statement.js'

type StatementCall = 'run' | 'get' | 'all' | 'each' | 'map' | 'bind' | 'reset'

/**
 * A statement prepared on `testSqlite3Database()` where no test runs (at import, or in a
 * describe block's `beforeAll`): it follows the tests, prepared again on each test's own
 * connection on first use there, with the values bound to it so far.
 */
export class FollowingStatement extends EventEmitter {
  readonly #connectionOf: (scope: TestScope) => TestSqlite3Connection
  readonly #database: object
  readonly #sql: string
  readonly #prepareArgs: readonly unknown[]
  #bound: readonly unknown[] = []
  readonly #prepared = new WeakMap<TestScope, TestStatement>()

  /** `database`: the app's database it was prepared on, which `finalize()` returns, as node-sqlite3's does. */
  constructor(connectionOf: (scope: TestScope) => TestSqlite3Connection, sql: string, prepareArgs: readonly unknown[], database: object) {
    super()
    this.#connectionOf = connectionOf
    this.#database = database
    this.#sql = sql
    this.#prepareArgs = prepareArgs
  }

  #on(scope: TestScope): TestStatement {
    let statement = this.#prepared.get(scope)
    if (!statement) {
      statement = this.#connectionOf(scope).prepare(this.#sql, ...this.#prepareArgs)
      if (this.#bound.length > 0) statement.bind(...this.#bound)
      this.#prepared.set(scope, statement)
    }
    return statement
  }

  #call(method: StatementCall, args: unknown[]): this {
    let scope: TestScope | undefined
    // Work a test left running is refused; outside a test, values bound are kept for every
    // test's copy, and running the statement fails: there is no database to run it on.
    const keeping = method === 'bind' || method === 'reset'
    if (!checked(args, () => (scope = keeping ? scopeIfAny() : currentScope(madeOutside)))) return this
    if (scope) {
      ;(this.#on(scope)[method] as (...args: unknown[]) => unknown)(...args)
      return this
    }
    if (method === 'bind') this.#bound = args.filter((arg) => typeof arg !== 'function')
    answerLater(args)
    return this
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

  bind(...args: unknown[]): this {
    return this.#call('bind', args)
  }

  reset(...args: unknown[]): this {
    return this.#call('reset', args)
  }

  /** Finalizes the running test's copy; outside a test there is nothing to free. */
  finalize(callback?: (error: Error | null) => void): object {
    const scope = scopeIfAny()
    const statement = scope && this.#prepared.get(scope)
    if (statement) statement.finalize(callback)
    else answerLater([callback])
    return this.#database
  }
}
