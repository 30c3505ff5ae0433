import type { Database, Statement } from 'sqlite3'
import { statementLogOf } from '../core/diagnostics/index.js'
import { checkOwnWork, openBeside, type OwnWorkWording, type TestScope } from '../core/lifecycle/index.js'
import { bindCallbacks, checked, inCallersContext } from './callbacks.js'
import { Sqlite3FixtureError } from './errors.js'
import { Emitting, ForwardedEvents } from './events.js'
import { sqlite3Module } from './module.js'
import { loggedStatement } from './params.js'
import { oneStatement } from './statements.js'
import { TestStatement, type StatementHost } from './statement.js'

type DatabaseCall = 'run' | 'get' | 'all' | 'each' | 'map'

/** A statement another test runs is refused with what to do instead. */
const prepared: OwnWorkWording = {
  made: 'prepared',
  advice:
    'Prepare it in the test that runs it, or prepare it at import (on testSqlite3Database(), outside any test) so that it follows the running test.',
}

/** A `run` argument that binds nothing: none, or an empty list or object of values (`run(sql, [])`). */
function noValue(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0)
}

/** How node-sqlite3 names itself in the errors of a connection beside a test's database. */
const sqlite3Driver = { name: 'node-sqlite3', call: 'testSqlite3Database()', error: (message: string) => new Sqlite3FixtureError(message) }

/**
 * A real node-sqlite3 connection on one test's database file, as the test's code (and the
 * ORMs on it: Knex, Sequelize) uses it: every call reaches node-sqlite3's own `Database`, so
 * values, `this.lastID`/`this.changes` and errors are the driver's; each statement is recorded
 * in the test's SQL log; callbacks run in the caller's async context. It belongs to its test:
 * used by another test's work, or after the test ended, it refuses. Closed by the plugin (its
 * statements finalized first) before the test's database closes.
 */
export class TestSqlite3Connection extends Emitting {
  readonly scope: TestScope
  readonly #real: Database
  readonly #record: (sql: string) => void
  /** Statements prepared and not finalized: node-sqlite3 cannot close a connection that has any. */
  readonly #open = new Set<Statement>()
  readonly #events: ForwardedEvents
  /** The app's closes under way: the teardown waits for them (a failed one, with a statement open, leaves the connection open). */
  readonly #closing = new Set<Promise<void>>()
  #closed = false
  /** What failed on this connection that no call of the test's could be told (a kept call), reported at its teardown. */
  readonly #failures: Error[] = []

  /** `face`: the object the app holds for it (the handle of testSqlite3Database()), which its statements' `finalize()` returns. */
  constructor(scope: TestScope, real: Database, record: (sql: string) => void, face?: object) {
    super()
    this.scope = scope
    this.#real = real
    this.#record = record
    this.#events = new ForwardedEvents(real, scope, this)
    this.#host = {
      scope,
      use: (what, sql) => void this.#use(what, sql, prepared),
      finalized: (statement) => void this.#open.delete(statement),
      database: face ?? this,
    }
  }

  protected get events(): ForwardedEvents {
    return this.#events
  }

  /** What the connection's statements need of it. */
  readonly #host: StatementHost

  #use(what: string, sql?: string, wording?: OwnWorkWording): Database {
    checkOwnWork(this.scope, what, wording)
    if (sql !== undefined) this.#record(sql)
    return this.#real
  }

  /** Calls the driver's `method` with `args` (callbacks bound), after the checks; a refusal goes to the callback. */
  #forward(method: string, args: unknown[], sql?: string, thisOf?: (self: unknown) => unknown): unknown {
    if (!checked(args, () => this.#use('a node-sqlite3 connection', sql))) return undefined
    const real = this.#real as unknown as Record<string, (...args: unknown[]) => unknown>
    return real[method]?.call(this.#real, ...bindCallbacks(this.scope, args, thisOf))
  }

  #call(method: DatabaseCall, sql: string, args: unknown[]): this {
    this.#forward(method, [sql, ...args], loggedStatement(sql, args))
    return this
  }

  run(sql: string, ...args: unknown[]): this {
    return this.#call('run', sql, args)
  }

  get(sql: string, ...args: unknown[]): this {
    return this.#call('get', sql, args)
  }

  all(sql: string, ...args: unknown[]): this {
    return this.#call('all', sql, args)
  }

  each(sql: string, ...args: unknown[]): this {
    return this.#call('each', sql, args)
  }

  map(sql: string, ...args: unknown[]): this {
    return this.#call('map', sql, args)
  }

  exec(sql: string, ...args: unknown[]): this {
    this.#forward('exec', [sql, ...args], sql)
    return this
  }

  prepare(sql: string, ...args: unknown[]): TestStatement {
    this.#use('a node-sqlite3 connection')
    // node-sqlite3 calls the prepare callback with its statement as `this`: the test sees this one's.
    const made: { real?: Statement; statement?: TestStatement } = {}
    made.real = this.#forward('prepare', [sql, ...args], undefined, (self) => (self === made.real ? made.statement : self)) as Statement
    made.statement = new TestStatement(this.#host, made.real, sql)
    this.#open.add(made.real)
    return made.statement
  }

  /** As node-sqlite3's: `callback` runs at once, its calls one after another. */
  serialize(callback?: () => void): void {
    this.#use('a node-sqlite3 connection').serialize(callback)
  }

  parallelize(callback?: () => void): void {
    this.#use('a node-sqlite3 connection').parallelize(callback)
  }

  configure(option: string, ...values: unknown[]): void {
    this.#forward('configure', [option, ...values])
  }

  loadExtension(file: string, ...args: unknown[]): this {
    this.#forward('loadExtension', [file, ...args])
    return this
  }

  wait(...args: unknown[]): this {
    this.#forward('wait', args)
    return this
  }

  interrupt(): void {
    this.#real.interrupt()
  }

  /**
   * Closes the connection, as the app's `close()` would: later calls fail as node-sqlite3's
   * do on a closed database, in this test only. The answer is node-sqlite3's own: with a
   * statement left unfinalized it refuses (SQLITE_BUSY), so a leak that fails in production
   * fails in the test, and a second close gets node-sqlite3's SQLITE_MISUSE. Never refused by
   * the plugin: closing is a shutdown.
   */
  close(callback?: (error: Error | null) => void): void {
    const done = callback && inCallersContext(callback)
    const closing = this.#close(false)
    this.#closing.add(closing)
    void closing.then(
      () => done?.(null),
      (error: Error) => done?.(error),
    ).finally(() => this.#closing.delete(closing))
  }

  /**
   * Closes node-sqlite3's connection, its open statements finalized first if `finalize` (the
   * plugin's teardown: the test is over, its file must go); resolves once it let go of the file.
   */
  #close(finalize: boolean): Promise<void> {
    if (finalize) {
      for (const statement of this.#open) statement.finalize()
      this.#open.clear()
    }
    return new Promise((resolve, reject) => {
      this.#real.close((error) => {
        // On an error the connection is still open, as node-sqlite3's stays (a statement left
        // open), or was closed already (a second close): the teardown closes it if need be.
        if (error) reject(error)
        else {
          this.#closed = true
          resolve()
        }
      })
    })
  }

  /**
   * Makes a call the handle kept (made outside any test) on this connection, as the plugin's
   * own set-up: on node-sqlite3's connection itself, before the test's own calls, not in the
   * test's SQL log. A failure fails the test at its end, naming the call (`failed`).
   */
  setUp(method: 'run' | 'exec' | 'configure' | 'loadExtension' | 'serialize' | 'parallelize', args: readonly unknown[], failed: (error: unknown) => void): void {
    const real = this.#real as unknown as Record<string, (...args: unknown[]) => unknown>
    const answered = (error: Error | null) => {
      if (error) failed(error)
    }
    try {
      // One statement with no values, as `exec`: node-sqlite3 runs an exec alone, so the test's
      // own first statement cannot overtake it (a `run` is prepared beside the next one).
      const [sql, ...values] = args
      if (method === 'run' && typeof sql === 'string' && oneStatement(sql) && values.every(noValue)) real.exec?.call(this.#real, sql, answered)
      else if (method === 'run' || method === 'exec' || method === 'loadExtension') real[method]?.call(this.#real, ...args, answered)
      else real[method]?.call(this.#real, ...args)
    } catch (error) {
      failed(error)
    }
  }

  /** Keeps an error no call of the test's could be given, for the test's teardown to fail with. */
  failAtTeardown(error: Error): void {
    this.#failures.push(error)
  }

  /**
   * Closes the connection before its test's database closes (the plugin's teardown); at once if
   * the test closed it. Rejects with what `failAtTeardown()` kept, once closed.
   */
  async closeAtTeardown(): Promise<void> {
    // The app's own closes may be under way, and fail (a statement left open): this one finalizes.
    await Promise.allSettled(this.#closing)
    if (!this.#closed) await this.#close(true).catch(() => undefined)
    if (this.#failures.length === 1) throw this.#failures[0]
    if (this.#failures.length > 1) throw new AggregateError(this.#failures, this.#failures.map((failure) => failure.message).join('; '))
  }

  /** Whether the connection is open (node-sqlite3 opens it asynchronously). */
  get open(): boolean {
    return (this.#real as unknown as { open: boolean }).open
  }

  /** The test's database file. */
  get filename(): string {
    return (this.#real as unknown as { filename: string }).filename
  }

  get [Symbol.toStringTag](): string {
    return 'TestSqlite3Connection'
  }
}

/**
 * The pragmas every node-sqlite3 connection on a test's database gets: foreign keys as
 * `ctx.db` has them (the plugin's `pragmas` option; node-sqlite3 leaves them off), and no fsync
 * for a throwaway file (its default, synchronous = FULL, makes each commit wait for the disk).
 */
function settingsFor(foreignKeys: boolean): string {
  return `PRAGMA foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}; PRAGMA synchronous = OFF`
}

/**
 * Opens a real node-sqlite3 connection on the scope's database file (made on first use), beside
 * `ctx.db`: each sees what the other wrote. Its first statements, the plugin's own and not
 * logged, set foreign keys as `ctx.db` has them. It is closed before the test's database is.
 * `call` is how messages name what the user called (`testKnex()` over node-sqlite3, say);
 * `face`, the object the app holds for the connection, if not the connection itself.
 */
export function openConnection(scope: TestScope, call = sqlite3Driver.call, face?: object): TestSqlite3Connection {
  return openBeside(
    scope,
    call === sqlite3Driver.call ? sqlite3Driver : { ...sqlite3Driver, call },
    (file, db) => {
      const { Database } = sqlite3Module()
      // With a callback, a failure to open goes to the first call, as node-sqlite3 then reports it, not to an 'error' event no one hears.
      const real = new Database(file, () => {})
      const log = statementLogOf(db)
      // Read without a trace in the test's SQL log: the plugin's own statement.
      const read = () => db.pragma('foreign_keys', { simple: true }) === 1
      // Its failure (a file gone) is the first call's to report, as node-sqlite3 reports it.
      real.exec(settingsFor(log ? log.paused(read) : read()), () => {})
      return new TestSqlite3Connection(scope, real, log ? (sql) => log.record(sql) : () => {}, face)
    },
    (connection) => connection.closeAtTeardown(),
  )
}
