import { AsyncLocalStorage } from 'node:async_hooks'
import type { Database } from 'sqlite3'
import type { Sequelize } from 'sequelize'
import { currentScope, ownerHere, requestFileClones, scopeOfOwner, type TestScope } from '../core/lifecycle/index.js'
import { openConnection } from '../sqlite3/connection.js'
import { SequelizeLayerError } from './errors.js'

/** A connection as Sequelize keeps it: node-sqlite3's `Database`, with the transaction it serves. */
type Connection = Database & { uuid?: string }

/** The part of Sequelize v6's SQLite connection manager the plugin takes over (internal, the same across v6). */
interface ConnectionManager {
  lib: { Database: new (file: string, callback?: (error: Error | null) => void) => Database }
  getConnection(options?: { uuid?: string }): Promise<Connection>
  releaseConnection(connection: Connection, force?: boolean): void | Promise<void>
  destroyConnection(connection: Connection): Promise<void>
  close(): Promise<void>
}

/** One test's connections, keyed as Sequelize keys them: all queries share one with `:memory:`, else one each for queries and for each transaction. */
interface TestConnections {
  readonly open: Map<string | number, Connection>
  /** Set by `sequelize.close()` in the test: later queries fail, as on a closed Sequelize. */
  closed: boolean
}

/** Where a taken-over Sequelize sends the build's own queries while the template is built, and what it opened there. */
interface Build {
  readonly file: string
  readonly opened: Map<string | number, Connection>
  /** Set once the build is done: work it left running is then outside it. */
  done: boolean
}

/**
 * The app's Sequelize instances taken over, each with the async context its template build
 * runs in: only the build's own work (its `sync()`, and the queries and hooks that runs) reaches
 * the template. App code running beside it (a timer started at import) is not the build's, and
 * is treated as it would be with no build running.
 */
const takenOver = new WeakMap<object, AsyncLocalStorage<Build>>()
/** The last one taken over (by the setup file's module mock of the app's db module, say). */
let latest: Sequelize | undefined

/** The Sequelize `testSequelize()` or `sequelizeLayer()` took over last in this module's copy (per test file). */
export function lastTakenOver(): Sequelize | undefined {
  return latest
}

function managerOf(sequelize: Sequelize, caller: string): ConnectionManager {
  const dialect = sequelize.getDialect()
  if (dialect !== 'sqlite') {
    throw new SequelizeLayerError(
      `sqlite-fixtures: ${caller} needs a Sequelize on the 'sqlite' dialect, got '${dialect}'. Give your app's Sequelize ` +
        "dialect: 'sqlite' in tests (new Sequelize({ dialect: 'sqlite', storage: ':memory:' })): the test databases are SQLite.",
    )
  }
  const manager = (sequelize as unknown as { connectionManager?: Partial<ConnectionManager> }).connectionManager
  if (typeof manager?.getConnection !== 'function' || typeof manager.releaseConnection !== 'function' || typeof manager.lib?.Database !== 'function') {
    throw new SequelizeLayerError(
      `sqlite-fixtures: ${caller}: this Sequelize keeps its SQLite connections elsewhere than Sequelize 6 does ` +
        '(connectionManager.getConnection), so they cannot be put on the test databases. The Sequelize layer supports sequelize 6.',
    )
  }
  return manager as ConnectionManager
}

/** The options the app's Sequelize was made with (untyped in Sequelize's declarations). */
function optionsOf(sequelize: Sequelize): { storage?: string; host?: string; foreignKeys?: boolean } {
  return (sequelize as unknown as { options: { storage?: string; host?: string; foreignKeys?: boolean } }).options
}

/** Whether the app's Sequelize runs on `:memory:`, read as Sequelize's own connection manager reads it. */
function inMemory(sequelize: Sequelize): boolean {
  const { storage, host } = optionsOf(sequelize)
  return (storage ?? host ?? ':memory:') === ':memory:'
}

function close(connection: Database): Promise<void> {
  return new Promise((resolve, reject) => connection.close((error) => (error ? reject(error) : resolve())))
}

/**
 * Runs `work` with a taken-over Sequelize on `file` (the template, while it is built): its
 * queries go to real node-sqlite3 connections there, opened by Sequelize's own driver and
 * closed once `work` is done.
 */
export async function onFile(sequelize: Sequelize, file: string, work: () => Promise<unknown>): Promise<void> {
  const building = takenOver.get(sequelize)
  if (!building) throw new SequelizeLayerError('sqlite-fixtures: the Sequelize was not taken over before the template was built.')
  const build: Build = { file, opened: new Map(), done: false }
  try {
    await building.run(build, work)
  } finally {
    build.done = true
    await Promise.all([...build.opened.values()].map(close))
  }
}

/**
 * Makes the app's Sequelize follow the running test, in place: every connection it asks for
 * (for a query, a transaction, `sync()`) is a real node-sqlite3 connection on the running
 * test's own database file, kept and released as Sequelize keeps and releases its own (one
 * for every query with `:memory:` storage; with a file, one for queries and one per
 * transaction), and closed when the test ends. `sequelize.close()` in a test ends that
 * test's connections only; elsewhere (an afterAll, a shutdown hook) it closes nothing.
 */
export function followTests<S extends Sequelize>(sequelize: S, caller: string): S {
  if (takenOver.has(sequelize)) {
    latest = sequelize
    return sequelize
  }
  const manager = managerOf(sequelize, caller)
  requestFileClones()
  const building = new AsyncLocalStorage<Build>()
  /** The build the code running here is part of, while it runs. */
  const buildHere = (): Build | undefined => {
    const build = building.getStore()
    return build?.done === false ? build : undefined
  }
  const perTest = new WeakMap<TestScope, TestConnections>()
  const connectionsOf = (scope: TestScope) => {
    let connections = perTest.get(scope)
    if (!connections) perTest.set(scope, (connections = { open: new Map(), closed: false }))
    return connections
  }
  /** What Sequelize's own `getConnection` runs once a connection is open. */
  const prepare = (connection: Connection) => {
    const { password } = sequelize.config as { password?: string }
    if (password) connection.run(`PRAGMA KEY=${sequelize.escape(password)}`)
    if (optionsOf(sequelize).foreignKeys !== false) connection.run('PRAGMA FOREIGN_KEYS=ON')
    return connection
  }
  const openOn = (file: string) =>
    new Promise<Connection>((resolve, reject) => {
      const opened: Connection = new manager.lib.Database(file, (error) => (error ? reject(error) : resolve(opened)))
    })
  /** Where a connection is kept: the build's, or the test's running here. */
  const keptIn = (): { opened: Map<string | number, Connection>; scope: TestScope | undefined } => {
    const build = buildHere()
    if (build) return { opened: build.opened, scope: undefined }
    const owner = ownerHere()
    const scope = owner && scopeOfOwner(owner)
    return { opened: scope ? connectionsOf(scope).open : new Map(), scope }
  }

  manager.getConnection = async (options = {}) => {
    options.uuid = options.uuid || 'default'
    const key = inMemory(sequelize) ? 1 : options.uuid
    const build = buildHere()
    if (build) {
      let connection = build.opened.get(key)
      if (!connection) build.opened.set(key, (connection = prepare(await openOn(build.file))))
      return connection
    }
    const scope = currentScope(`a query through ${caller} was made`)
    const connections = connectionsOf(scope)
    if (connections.closed) throw new Error('ConnectionManager.getConnection was called after the connection manager was closed!')
    let connection = connections.open.get(key)
    if (!connection) connections.open.set(key, (connection = prepare(openConnection(scope, caller) as unknown as Connection)))
    return connection
  }
  /** As Sequelize's own: a transaction's connection (it carries its `uuid`) is closed and forgotten. */
  const forget = async (connection: Connection) => {
    const { uuid } = connection
    if (uuid === undefined) return
    const { opened } = keptIn()
    if (opened.get(uuid) === connection) opened.delete(uuid)
    await close(connection)
  }
  manager.releaseConnection = (connection, force) => {
    if (inMemory(sequelize) && force !== true) return
    // Sequelize does not wait for it either; a failure to close has no one to tell.
    forget(connection).catch(() => undefined)
  }
  manager.destroyConnection = (connection) => forget(connection)
  manager.close = async () => {
    const { scope } = keptIn()
    if (!scope || scope.ended) return
    const connections = connectionsOf(scope)
    connections.closed = true
    const open = [...connections.open.values()]
    connections.open.clear()
    await Promise.all(open.map(close))
  }
  takenOver.set(sequelize, building)
  latest = sequelize
  return sequelize
}
