import type BetterSqlite3 from 'better-sqlite3'
import type { Knex } from 'knex'
import { currentScope, ownerHere, requestFileClones, scopeOfOwner, type TestScope } from '../core/lifecycle/index.js'
import { openConnection } from '../sqlite3/connection.js'
import { KnexLayerError } from './errors.js'
import { ConnectionLease } from './lease.js'
import { makeKnex } from './orm.js'
import type { KnexClientInternals, KnexSqliteClient } from './types.js'

/** Clients already following the tests (a setup file run again per test file, with `isolate: false`). */
const following = new WeakSet<object>()

function isKnex(value: unknown): value is Knex {
  return typeof value === 'function' && typeof (value as { client?: unknown }).client === 'object'
}

/** The SQLite client a Knex runs on, or an error that says what to use instead. */
function sqliteClientOf(client: KnexClientInternals, caller: string): KnexSqliteClient {
  const name = client.driverName
  if (name === 'better-sqlite3' || name === 'sqlite3') return name
  const given = typeof client.config.client === 'string' ? client.config.client : name
  throw new KnexLayerError(
    `sqlite-fixtures: ${caller} needs a Knex on a SQLite client, 'better-sqlite3' or 'sqlite3', got ${JSON.stringify(given)}. ` +
      "Give your app's Knex a SQLite client in tests (knex({ client: 'better-sqlite3', connection: { filename } })): the test databases are SQLite.",
  )
}

/**
 * better-sqlite3's connection for Knex: the test's own `ctx.db`. With Knex's `safeIntegers`
 * option, a view of it whose statements return BigInts, so `ctx.db` keeps returning numbers.
 */
function betterSqlite3Connection(db: BetterSqlite3.Database, client: KnexClientInternals): BetterSqlite3.Database {
  if (client.connectionSettings?.options?.safeIntegers !== true) return db
  return new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (source: string) => target.prepare(source).safeIntegers(true)
      const value: unknown = Reflect.get(target, key, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** Runs Knex's `pool.afterCreate` hook of the app's config on a test's new connection, as Knex's pool runs it. */
async function afterCreate(client: KnexClientInternals, connection: unknown): Promise<void> {
  const hook = client.config.pool?.afterCreate
  if (!hook) return
  await new Promise<void>((resolve, reject) => hook(connection, (error) => (error ? reject(error) : resolve())))
}

/**
 * Makes a Knex follow the running test, in place: its connection acquisition, which its
 * queries, transactions, migrations and seeds all go through, hands out the running test's
 * own connection (better-sqlite3: the test's `ctx.db`; sqlite3: a real node-sqlite3
 * connection on its database file), one at a time as Knex's SQLite pool does. Knex's pool
 * itself opens nothing. `knex.destroy()` in a test ends that test's connection only.
 */
function follow(knex: Knex, caller: string): Knex {
  const client = knex.client as unknown as KnexClientInternals
  if (following.has(client)) return knex
  const driver = sqliteClientOf(client, caller)
  if (driver === 'sqlite3') requestFileClones()
  const leases = new WeakMap<TestScope, ConnectionLease<unknown>>()
  const leaseOf = new WeakMap<object, ConnectionLease<unknown>>()
  const open = async (scope: TestScope) => {
    if (driver === 'better-sqlite3' && scope.get('db').inTransaction) {
      throw new KnexLayerError(
        `sqlite-fixtures: the database of test "${scope.test.name}" is inside a transaction when Knex first asks for its connection ` +
          "(ctx.db itself, on the better-sqlite3 client), where Knex's own transactions cannot begin: a transaction the test " +
          "began on ctx.db and has not ended (end it first, or begin it through Knex), or isolation: 'savepoint', which runs each " +
          "test inside one (use the default isolation, 'clone', with testKnex()).",
      )
    }
    const connection = driver === 'sqlite3' ? openConnection(scope, caller) : betterSqlite3Connection(scope.get('db'), client)
    await afterCreate(client, connection)
    return connection
  }
  const leaseFor = (scope: TestScope) => {
    let lease = leases.get(scope)
    if (!lease) {
      lease = new ConnectionLease(scope, () => open(scope))
      leases.set(scope, lease)
    }
    return lease
  }
  client.acquireConnection = async () => {
    const lease = leaseFor(currentScope(`a query through ${caller} was made`))
    const connection = await lease.acquire(client.config.acquireConnectionTimeout ?? 60_000)
    leaseOf.set(connection as object, lease)
    return connection
  }
  client.releaseConnection = async (connection) => {
    leaseOf.get(connection as object)?.release()
  }
  // In a test, its connection ends there; elsewhere (an afterAll, a shutdown hook) nothing
  // is left to close: each test's connection closes with its test.
  client.destroy = async (callback) => {
    const owner = ownerHere()
    const scope = owner && scopeOfOwner(owner)
    if (scope && !scope.ended) leaseFor(scope).destroyed = true
    callback?.()
  }
  following.add(client)
  return knex
}

/**
 * A Knex that follows the running test: give it your app's Knex (or your app's Knex config) in
 * the setup file's module mock of your db module, and every query, transaction, migration and
 * seed it runs reaches the running test's own database: ten `test.concurrent` tests through
 * the one instance each reach their own. The instance is taken over in place and returned.
 *
 * On `client: 'better-sqlite3'` each test's connection is its `ctx.db`; on `client: 'sqlite3'`
 * a real node-sqlite3 connection on its database file (test databases are then files).
 */
export function testKnex<K extends Knex>(knex: K): K
export function testKnex(config: Knex.Config): Knex
export function testKnex(knexOrConfig: Knex | Knex.Config): Knex {
  if (isKnex(knexOrConfig)) return follow(knexOrConfig, 'testKnex()')
  if (typeof knexOrConfig !== 'object' || knexOrConfig === null) {
    throw new KnexLayerError(`sqlite-fixtures: testKnex() takes your app's Knex, or its config, got ${String(knexOrConfig)}.`)
  }
  return follow(makeKnex(knexOrConfig), 'testKnex()')
}
