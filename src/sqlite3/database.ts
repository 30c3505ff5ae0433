import { EventEmitter } from 'node:events'
import type { Database } from 'sqlite3'
import { currentScope, explainedNoOwner, filesStarted, ownerHere, requestFileClones, scopeIfAny, scopeOfOwner, testsStarted, type TestScope } from '../core/lifecycle/index.js'
import { answerLater, answerSoon, checked, madeOutside } from './callbacks.js'
import { openConnection, type TestSqlite3Connection } from './connection.js'
import { FollowingStatement } from './following.js'
import { KeptCalls, shownCall, unownedCall, unownedWrite } from './kept-calls.js'
import { keepable } from './statements.js'
import type { TestStatement } from './statement.js'

type Listener = (...args: unknown[]) => void
type Query = 'run' | 'get' | 'all' | 'each' | 'map' | 'exec'

/**
 * The test-following node-sqlite3 database: one object, of node-sqlite3's `Database` type,
 * whose every call runs on a real node-sqlite3 connection opened on the running test's own
 * database (a file copy of the template, made on first use). Callbacks run in the test's
 * async context; work a test left running is refused once it ended.
 *
 * Where no test runs before the file's tests start (an app module at import), calls that
 * configure a connection (`run` or `exec` of a PRAGMA or a CREATE, `configure`,
 * `loadExtension`, `serialize()`) are kept and made on each test's connection as it opens;
 * once the tests started, they are refused (a timer an app module started is no set-up), and
 * a write where no test runs is refused whenever it comes. Listeners added where no test runs
 * hear every test's connection, and statements prepared there follow the tests; queries there
 * fail (their callback gets the error), as there is no database to ask.
 */
class TestSqlite3Database extends EventEmitter {
  readonly #connections = new WeakMap<TestScope, TestSqlite3Connection>()
  readonly #kept = new KeptCalls()
  /** How many files' tests had started in this realm when the handle was made: its set-up ends as the next one's start. */
  readonly #madeAt = filesStarted()

  /**
   * The running test's scope for a call that is kept where no test runs: `undefined` there (the
   * call is kept) while the imports of the handle's first file load, and the call's refusal
   * after (a timer an app module started is no set-up, nor, with Vitest's `isolate: false`, is
   * one of an earlier file firing while the next file loads); the same call made again (a setup
   * file run again for each file) is kept already. A write (SQL with a statement that is no
   * PRAGMA or CREATE) where no test runs is refused whenever it comes.
   */
  #scopeOrKept(method: string, args: readonly unknown[]): TestScope | undefined {
    const scope = scopeIfAny()
    if (scope !== undefined) return scope
    const [sql] = args
    const write = (method === 'run' || method === 'exec') && typeof sql === 'string' && !keepable(sql)
    if (!write && (this.#settingUp() || this.#kept.has(method, args))) return undefined
    const call = shownCall(method, args)
    // A hook that runs for a test the plugin has not reached (Jest's, in a setup file listed
    // before the plugin's): the runner adapter says why, and fails that test.
    const explained = testsStarted() ? explainedNoOwner(`${call} through testSqlite3Database() was made`, true) : undefined
    if (explained) throw explained
    throw write ? unownedWrite(call) : unownedCall(call)
  }

  /** Whether the handle's set-up is under way: the imports of its first file load. */
  #settingUp(): boolean {
    return !testsStarted() && filesStarted() === this.#madeAt
  }

  /** Keeps a call made where no test runs, during the set-up; after it, the same call again is kept already. */
  #keep(method: Parameters<KeptCalls['keep']>[0], args: readonly unknown[]): void {
    if (this.#settingUp()) this.#kept.keep(method, args)
  }

  /** The scope's connection, opened on first use, with the kept calls and the handle's listeners on it. */
  readonly #connectionOf = (scope: TestScope): TestSqlite3Connection => {
    let connection = this.#connections.get(scope)
    if (!connection) {
      connection = openConnection(scope, undefined, this)
      this.#connections.set(scope, connection)
      for (const type of this.eventNames()) connection.on(type, (...args: unknown[]) => super.emit(type, ...args))
      this.#kept.makeOn(connection, scope)
    }
    return connection
  }

  /** Runs a query on the test's connection; outside a test, `keep` says whether it is kept for every test's (at import). */
  #query(method: Query, sql: string, args: unknown[], keep: boolean): this {
    let scope: TestScope | undefined
    if (!checked(args, () => (scope = keep ? this.#scopeOrKept(method, [sql, ...args]) : currentScope(madeOutside)))) return this
    if (scope) {
      this.#connectionOf(scope)[method](sql, ...args)
      return this
    }
    this.#keep(method as 'run' | 'exec', [sql, ...args])
    answerLater(args, { sql, lastID: undefined, changes: undefined })
    return this
  }

  run(sql: string, ...args: unknown[]): this {
    return this.#query('run', sql, args, true)
  }

  exec(sql: string, ...args: unknown[]): this {
    return this.#query('exec', sql, args, true)
  }

  get(sql: string, ...args: unknown[]): this {
    return this.#query('get', sql, args, false)
  }

  all(sql: string, ...args: unknown[]): this {
    return this.#query('all', sql, args, false)
  }

  each(sql: string, ...args: unknown[]): this {
    return this.#query('each', sql, args, false)
  }

  map(sql: string, ...args: unknown[]): this {
    return this.#query('map', sql, args, false)
  }

  /**
   * A statement on the running test's connection; prepared where no test runs (import time,
   * a block's `beforeAll`), one that follows the tests.
   */
  prepare(sql: string, ...args: unknown[]): TestStatement | FollowingStatement {
    const scope = scopeIfAny()
    if (!scope || scope.blockSetup) return new FollowingStatement(this.#connectionOf, sql, args, this)
    return this.#connectionOf(scope).prepare(sql, ...args)
  }

  // These (and close()) return the database, as node-sqlite3's do (its types say void): an app may chain them.

  /** As node-sqlite3's, on the running test's connection; outside a test, the mode is kept for every test's connection. */
  serialize(callback?: () => void): this {
    return this.#mode('serialize', callback)
  }

  parallelize(callback?: () => void): this {
    return this.#mode('parallelize', callback)
  }

  #mode(mode: 'serialize' | 'parallelize', callback: (() => void) | undefined): this {
    const scope = callback ? scopeIfAny() : this.#scopeOrKept(mode, [])
    if (scope) this.#connectionOf(scope)[mode](callback)
    // The calls `callback` makes are kept (or refused) in turn; a mode set for good is kept for every test.
    else if (callback) callback()
    else this.#keep(mode, [])
    return this
  }

  configure(option: string, ...values: unknown[]): this {
    const scope = this.#scopeOrKept('configure', [option, ...values])
    if (scope) this.#connectionOf(scope).configure(option, ...values)
    else this.#keep('configure', [option, ...values])
    return this
  }

  loadExtension(file: string, ...args: unknown[]): this {
    let scope: TestScope | undefined
    if (!checked(args, () => (scope = this.#scopeOrKept('loadExtension', [file])))) return this
    if (scope) this.#connectionOf(scope).loadExtension(file, ...args)
    else {
      this.#keep('loadExtension', [file])
      answerLater(args)
    }
    return this
  }

  wait(...args: unknown[]): this {
    const scope = scopeIfAny()
    const connection = scope && this.#connections.get(scope)
    if (connection) connection.wait(...args)
    else answerLater(args)
    return this
  }

  interrupt(): this {
    const scope = scopeIfAny()
    const connection = scope && this.#connections.get(scope)
    connection?.interrupt()
    return this
  }

  /**
   * In a test, closes that test's connection, as the app's `close()` would close its own: later
   * calls in the test fail as node-sqlite3's do on a closed database, and no other test is
   * touched. Outside a test (an app's shutdown hook) it closes nothing: each test's connection
   * closes when its test ends.
   */
  close(callback?: (error: Error | null) => void): this {
    // Never refused: an afterAll, or work a test left running, that closes the app's database
    // is a shutdown, and closes nothing of another test's.
    const owner = ownerHere()
    const scope = owner && scopeOfOwner(owner)
    if (scope && !scope.ended) this.#connectionOf(scope).close(callback)
    else if (callback) answerSoon(() => callback(null))
    return this
  }

  /** Whether the running test's connection is open (node-sqlite3 opens it asynchronously); outside a test, true. */
  get open(): boolean {
    const scope = scopeIfAny()
    return scope ? this.#connectionOf(scope).open : true
  }

  /** The running test's database file; outside a test, `''`. */
  get filename(): string {
    const scope = scopeIfAny()
    return scope ? this.#connectionOf(scope).filename : ''
  }

  // Listeners added in a test hear that test's connection only; added where no test runs (or
  // in a block's beforeAll), every test's connection opened from then on.

  override on(type: string | symbol, listener: Listener): this {
    const scope = scopeIfAny()
    if (scope && !scope.blockSetup) this.#connectionOf(scope).on(type, listener)
    else super.on(type, listener)
    return this
  }

  override addListener(type: string | symbol, listener: Listener): this {
    return this.on(type, listener)
  }

  override once(type: string | symbol, listener: Listener): this {
    const scope = scopeIfAny()
    if (scope && !scope.blockSetup) this.#connectionOf(scope).once(type, listener)
    else super.once(type, listener)
    return this
  }

  override off(type: string | symbol, listener: Listener): this {
    return this.removeListener(type, listener)
  }

  override removeListener(type: string | symbol, listener: Listener): this {
    const scope = scopeIfAny()
    const connection = scope && !scope.blockSetup ? this.#connections.get(scope) : undefined
    if (connection) connection.removeListener(type, listener)
    super.removeListener(type, listener)
    return this
  }

  get [Symbol.toStringTag](): string {
    return 'TestSqlite3Database'
  }
}

let shared: TestSqlite3Database | undefined

/**
 * A node-sqlite3 `Database` that follows the running test: give it to the app's db module in
 * the setup file (through the runner's module mock of that module), and app code on it reaches
 * the running test's own database, through a real node-sqlite3 connection on that database's
 * file, made on first use. Safe to create at import time. From then on, test databases are
 * files (node-sqlite3 opens files), with no env var bound to them, so `test.concurrent` tests
 * still work. One object per process.
 */
export function testSqlite3Database(): Database {
  requestFileClones()
  shared ??= new TestSqlite3Database()
  return shared as unknown as Database
}
