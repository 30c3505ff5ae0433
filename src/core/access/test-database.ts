import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { currentScope, onNewDatabase, ownerHere, scopeIfAny, scopeOfOwner, type TestScope } from '../lifecycle/index.js'
import { SqliteFixturesError } from '../base/index.js'
import { FollowingStatement, type ConnectionSource } from './test-statement.js'

type Transaction = BetterSqlite3.Transaction<(...args: unknown[]) => unknown>
type TransactionKind = 'default' | 'deferred' | 'immediate' | 'exclusive'

/** Marks the handle, so other modules (and another copy of this package) can recognize it. */
const handleMark = Symbol.for('sqlite-fixtures.testDatabase')

/** A call made on the handle outside any test, to be made again on each test's database. */
interface Setup {
  readonly call: string
  /** What the call sets (`function shout`, `exec <sql>`): made again, it replaces the earlier one. */
  readonly sets: string
  apply(db: Database): void
}

/**
 * The test-following handle: one object, typed as better-sqlite3's `Database`, that answers
 * every use with the database of the test it runs in, made on first use. App code and ORMs
 * can hold it from import time; `test.concurrent` tests through it each reach their own
 * database (the running test is found through an `AsyncLocalStorage`, as `currentDb()`).
 *
 * Outside a test it builds nothing and throws only where an answer needs a database:
 * property probes get neutral answers, statements and transactions made then (or in a
 * block's beforeAll) follow each test, and calls that configure a connection (`exec`,
 * pragma settings, `function`, ...) are kept and made on each test's database when it is made.
 */
class TestDatabase {
  readonly [handleMark] = true
  readonly #setups: Setup[] = []
  /** How many of the setups each database has had. */
  readonly #configured = new WeakMap<Database, number>()

  /** What this handle's statements run on: the handle's own, private way to the test's database. */
  readonly #source: ConnectionSource = {
    handle: this as unknown as Database,
    connection: () => this.#connection(),
  }

  /**
   * The handle is its own client: Drizzle 1.x reads `drizzle(x)`'s argument as a config
   * object (`{ client, connection, ... }`), so with this `drizzle(testDatabase())` works on
   * Drizzle 0.x and 1.x alike, and no probe finds a `connection` to open.
   */
  get client(): Database {
    return this.#source.handle
  }

  /** The running test's database, made on first use, with the handle's setups made on it. */
  #connection(): Database {
    return this.#configure(currentScope())
  }

  #configure(scope: TestScope): Database {
    const db = scope.get('db')
    TestDatabase.configureNew(this, db, scope.test.name)
    return db
  }

  /** Makes on `db` the handle's setups it has not had yet (static: not a method app code sees on the handle). */
  static configureNew(handle: TestDatabase, db: Database, testName: string): void {
    for (let done = handle.#configured.get(db) ?? 0; done < handle.#setups.length; done++) {
      const setup = handle.#setups[done] as Setup
      handle.#configured.set(db, done + 1)
      try {
        setup.apply(db)
      } catch (error) {
        throw new SqliteFixturesError(
          `sqlite-fixtures: ${setup.call}, called on testDatabase() outside a test, failed on the database of test ` +
            `"${testName}": ${error instanceof Error ? error.message : String(error)}`,
          'SQLITE_FIXTURES_HANDLE_SETUP',
          { cause: error },
        )
      }
    }
  }

  /** Runs a configuring call on the test's database, or keeps it for every test's when no test runs here. */
  #configuring(call: string, sets: string, apply: (db: Database) => unknown): this {
    const scope = scopeIfAny()
    if (scope) {
      apply(this.#configure(scope))
      return this
    }
    // A setup file runs again for every test file in a process that keeps this module
    // (Vitest's isolate: false): the same call replaces its first, so it is made once per database.
    const setup = { call, sets, apply }
    const earlier = this.#setups.findIndex((kept) => kept.sets === sets)
    if (earlier === -1) this.#setups.push(setup)
    else this.#setups[earlier] = setup
    return this
  }

  /** A property of the test's database, or `outside` when no test runs here (an ORM probing its client). */
  #property<T>(read: (db: Database) => T, outside: T): T {
    const scope = scopeIfAny()
    return scope ? read(this.#configure(scope)) : outside
  }

  get name(): string {
    return this.#property((db) => db.name, '')
  }

  get open(): boolean {
    return this.#property((db) => db.open, true)
  }

  get inTransaction(): boolean {
    return this.#property((db) => db.inTransaction, false)
  }

  get memory(): boolean {
    return this.#property((db) => db.memory, false)
  }

  get readonly(): boolean {
    return this.#property((db) => db.readonly, false)
  }

  prepare(source: string): unknown {
    if (typeof source !== 'string') throw new TypeError('Expected first argument to be a string')
    const scope = scopeIfAny()
    // Made in a test that has a database, it is prepared on it now (bad SQL throws here, as
    // better-sqlite3's does); made elsewhere (import time, also of a module a test imports, a
    // block's beforeAll, a test without a database) it waits for the first test that runs it.
    return new FollowingStatement(this.#source, source, scope !== undefined && !scope.blockSetup && scope.hasDatabase)
  }

  /** A transaction function that runs on the database of the test that calls it; nests as better-sqlite3's do. */
  transaction(fn: (...args: unknown[]) => unknown): Transaction {
    if (typeof fn !== 'function') throw new TypeError('Expected first argument to be a function')
    const made = new WeakMap<Database, Transaction>()
    const on = (db: Database) => {
      let transaction = made.get(db)
      if (!transaction) {
        transaction = db.transaction(fn)
        made.set(db, transaction)
      }
      return transaction
    }
    const connection = () => this.#connection()
    // A function, not an arrow: better-sqlite3 passes the caller's `this` on to `fn`.
    const kind = (name: TransactionKind) =>
      function (this: unknown, ...args: unknown[]) {
        return on(connection())[name].apply(this, args)
      }
    const transaction = kind('default')
    for (const name of ['default', 'deferred', 'immediate', 'exclusive'] as const) {
      Object.defineProperty(transaction, name, { value: kind(name) })
    }
    Object.defineProperty(transaction, 'database', { value: this.#source.handle })
    return transaction as unknown as Transaction
  }

  exec(source: string): this {
    return this.#configuring(`exec(${JSON.stringify(source.slice(0, 60))})`, `exec ${source}`, (db) => db.exec(source))
  }

  /** A setting (`'name = value'`) made outside a test is kept for every test's database; a read needs a test. */
  pragma(source: string, options?: BetterSqlite3.PragmaOptions): unknown {
    const scope = scopeIfAny()
    if (scope) return this.#configure(scope).pragma(source, options)
    if (!source.includes('=')) return this.#connection().pragma(source, options)
    this.#configuring(`pragma(${JSON.stringify(source)})`, `pragma ${source}`, (db) => db.pragma(source, options))
    return options?.simple ? undefined : []
  }

  function(name: string, ...rest: unknown[]): this {
    return this.#configuring(`function(${JSON.stringify(name)})`, `function ${name}`, (db) =>
      (db.function as (...args: unknown[]) => unknown).call(db, name, ...rest),
    )
  }

  aggregate(name: string, options: BetterSqlite3.AggregateOptions): this {
    return this.#configuring(`aggregate(${JSON.stringify(name)})`, `function ${name}`, (db) => db.aggregate(name, options))
  }

  table(name: string, options: Parameters<Database['table']>[1]): this {
    return this.#configuring(`table(${JSON.stringify(name)})`, `table ${name}`, (db) => db.table(name, options))
  }

  loadExtension(path: string, ...rest: unknown[]): this {
    return this.#configuring(`loadExtension(${JSON.stringify(path)})`, `loadExtension ${path}`, (db) =>
      (db.loadExtension as (...args: unknown[]) => unknown).call(db, path, ...rest),
    )
  }

  defaultSafeIntegers(on = true): this {
    return this.#configuring('defaultSafeIntegers()', 'defaultSafeIntegers', (db) => db.defaultSafeIntegers(on))
  }

  unsafeMode(on = true): this {
    return this.#configuring('unsafeMode()', 'unsafeMode', (db) => db.unsafeMode(on))
  }

  serialize(options?: BetterSqlite3.SerializeOptions): Buffer {
    return this.#connection().serialize(options)
  }

  backup(destination: string, options?: BetterSqlite3.BackupOptions): Promise<BetterSqlite3.BackupMetadata> {
    return this.#connection().backup(destination, options)
  }

  /**
   * Closes the running test's own database, as closing the app's database would (a health
   * check's simulated outage): later uses in that test fail as on a closed connection, and no
   * other test is touched. Outside a test it does nothing, so an app's shutdown hook that
   * closes its database stays harmless.
   */
  close(): this {
    // Never refused: an afterAll or work left running that closes the app's database is a
    // shutdown, and closes nothing of another test's.
    const owner = ownerHere()
    const scope = owner && scopeOfOwner(owner)
    if (scope && !scope.ended) this.#configure(scope).close()
    return this
  }

  get [Symbol.toStringTag](): string {
    return 'TestDatabase'
  }
}

let shared: TestDatabase | undefined

/**
 * The test-following database handle, typed as better-sqlite3's `Database`: give it to the
 * app's db module in the setup file (through the runner's module mock of that module),
 * and app code, Drizzle, Kysely or TypeORM on it reach the running test's own database.
 * One object per process; safe to create at import time.
 */
export function testDatabase(): Database {
  if (!shared) {
    const handle = new TestDatabase()
    shared = handle
    // What the app set on the handle at import (a function, a pragma) holds for ctx.db and
    // the other layers too, not only once the handle is used.
    onNewDatabase((db, testName) => TestDatabase.configureNew(handle, db, testName))
  }
  return shared.client
}

/** Whether `db` is the test-following handle (of this copy of the package or another). */
export function isTestDatabase(db: unknown): boolean {
  return typeof db === 'object' && db !== null && (db as Record<symbol, unknown>)[handleMark] === true
}
