import type { Client, InArgs, InStatement, IntMode, Replicated, ResultSet, Transaction, TransactionMode } from '@libsql/client'
import { currentScope, ownerHere, scopeOfOwner, type TestScope } from '../core/lifecycle/index.js'
import { beginStatement } from './begin.js'
import { LibsqlFixtureError } from './errors.js'
import { checkOpen, openSession, type TestSession, useFileDatabases } from './session.js'
import { type AnyStatement, statementText } from './statement-text.js'
import { TestTransaction } from './transaction.js'

/** What `testLibsqlClient()` takes: the settings of your app's `createClient()` that shape values. */
export interface TestLibsqlClientOptions {
  /**
   * How integers come back: `'number'` (libSQL's default), `'bigint'` or `'string'`. Give
   * the same value as your app's `createClient({ url, intMode })`.
   */
  intMode?: IntMode
}

const intModes: readonly string[] = ['number', 'bigint', 'string']

/** One client per process and `intMode`: the app's and the layers' share each test's connection. */
const shared = new Map<IntMode | undefined, Client>()

/**
 * The test-following libSQL client: one object, of libSQL's `Client` type, whose every call
 * runs on a real libSQL client opened on the running test's own database (a file copy of the
 * template, made on first use), so values, errors and transactions are libSQL's own.
 */
class TestLibsqlClient implements Client {
  readonly protocol = 'file'
  readonly #intMode: IntMode | undefined
  readonly #sessions = new WeakMap<TestScope, TestSession>()

  constructor(intMode: IntMode | undefined) {
    this.#intMode = intMode
  }

  #session(scope: TestScope): TestSession {
    let session = this.#sessions.get(scope)
    if (!session) {
      session = openSession(scope, this.#intMode)
      this.#sessions.set(scope, session)
    }
    return checkOpen(session)
  }

  /** The running test's session, after recording what it is about to run in the test's SQL log. */
  #running(...statements: string[]): TestSession {
    const session = this.#session(currentScope())
    for (const statement of statements) session.record(statement)
    return session
  }

  /** The running test's client, set up, after recording what it is about to run. */
  async #client(...statements: string[]): Promise<Client> {
    const session = this.#running(...statements)
    await session.ready
    return session.client
  }

  // Async, as libSQL's own methods: a refusal is a rejected promise, never a throw.
  execute(stmt: InStatement): Promise<ResultSet>
  execute(sql: string, args?: InArgs): Promise<ResultSet>
  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const statement: InStatement = typeof stmtOrSql === 'string' && args !== undefined ? { sql: stmtOrSql, args } : stmtOrSql
    return (await this.#client(statementText(statement))).execute(statement)
  }

  /**
   * Runs `work` on the test's client, the statements libSQL runs around it recorded as it runs
   * them: its own transaction's `BEGIN ...`, then `COMMIT`, or `ROLLBACK` when a statement fails.
   */
  async #inTransaction<T>(before: string[], work: (client: Client) => Promise<T>, after: string[] = []): Promise<T> {
    const session = this.#running(...before)
    await session.ready
    try {
      const result = await work(session.client)
      for (const statement of ['COMMIT', ...after]) session.record(statement)
      return result
    } catch (error) {
      for (const statement of ['ROLLBACK', ...after]) session.record(statement)
      throw error
    }
  }

  async batch(stmts: AnyStatement[], mode: TransactionMode = 'deferred'): Promise<ResultSet[]> {
    // Older clients take `InStatement[]` only; the [sql, args] form is passed on as given.
    return this.#inTransaction([beginStatement(mode), ...stmts.map(statementText)], (client) => client.batch(stmts as InStatement[], mode))
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    // libSQL's migrate(): foreign keys off, one deferred transaction, foreign keys on again.
    return this.#inTransaction(
      ['PRAGMA foreign_keys=off', beginStatement('deferred'), ...stmts.map(statementText)],
      (client) => client.migrate(stmts),
      ['PRAGMA foreign_keys=on'],
    )
  }

  async transaction(mode: TransactionMode = 'write'): Promise<Transaction> {
    const session = this.#running(beginStatement(mode))
    await session.ready
    return new TestTransaction(session, await session.client.transaction(mode))
  }

  async executeMultiple(sql: string): Promise<void> {
    return (await this.#client(sql)).executeMultiple(sql)
  }

  async sync(): Promise<Replicated> {
    return (await this.#client()).sync()
  }

  /**
   * In a test, closes that test's client, as the app's `close()` would close its own: later
   * calls in the test fail as libSQL's do (`CLIENT_CLOSED`), and no other test is touched.
   * Outside a test (an app's shutdown hook), it does nothing.
   */
  close(): void {
    // Never refused: an afterAll, or work a test left running, that closes the app's client is
    // a shutdown, and closes nothing of another test's.
    const scope = this.#ownScope()
    if (scope && !scope.ended) this.#session(scope).client.close()
  }

  /** The scope of the test (or block setup) whose async context this is, without refusing anything. */
  #ownScope(): TestScope | undefined {
    const owner = ownerHere()
    return owner && scopeOfOwner(owner)
  }

  /** Reopens the running test's client after `close()`. */
  reconnect(): void {
    this.#running().client.reconnect()
  }

  /** Whether the running test closed its client; `false` outside a test. */
  get closed(): boolean {
    const scope = this.#ownScope()
    const session = scope && this.#sessions.get(scope)
    return session?.client.closed ?? false
  }

  get [Symbol.toStringTag](): string {
    return 'TestLibsqlClient'
  }
}

function checkOptions(options: TestLibsqlClientOptions): IntMode | undefined {
  if (typeof options !== 'object' || options === null) {
    throw new LibsqlFixtureError(`sqlite-fixtures: testLibsqlClient(options) takes an object, got ${String(options)}.`)
  }
  for (const key of Object.keys(options)) {
    if (key !== 'intMode') {
      throw new LibsqlFixtureError(
        `sqlite-fixtures: testLibsqlClient() has no option "${key}": it takes only intMode (the database is the running test's own).`,
      )
    }
  }
  const { intMode } = options
  if (intMode !== undefined && !intModes.includes(intMode)) {
    throw new LibsqlFixtureError(`sqlite-fixtures: testLibsqlClient({ intMode }) must be 'number', 'bigint' or 'string', got ${JSON.stringify(intMode)}.`)
  }
  return intMode
}

/**
 * A libSQL `Client` that follows the running test: give it to the app's db module in the
 * setup file (through the runner's module mock of that module), and app
 * code, Drizzle, Kysely or Prisma on it reach the running test's own database, made on first
 * use. Safe to create at import time. From then on, test databases are files (libSQL opens
 * files), with no env var bound to them, so `test.concurrent` tests still work. The same
 * options give the same object.
 */
export function testLibsqlClient(options: TestLibsqlClientOptions = {}): Client {
  const intMode = checkOptions(options)
  useFileDatabases()
  let client = shared.get(intMode)
  if (!client) {
    client = new TestLibsqlClient(intMode)
    shared.set(intMode, client)
  }
  return client
}
