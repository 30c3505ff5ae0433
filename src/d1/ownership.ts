// Which test a D1 call belongs to, inside the Workers runtime: each test runs in its own
// async context (AsyncLocalStorage.run, which nodejs_compat gives; enterWith does not work
// there), and the D1 binding's methods are wrapped once, on their prototypes, so the app's
// `env.DB` stays the object it was. A call made for a test that has ended is refused; the
// calls made for a running test are kept for its failure report.
import { AsyncLocalStorage } from 'node:async_hooks'
import { LateWorkError, realmState, withBoundValues } from '../core/base/index.js'
import { replaceOnce } from './replace-once.js'
import { noteDatabaseCall, noteMadeFrom, noteReachedAny, noteStatementCall } from './uses.js'

/** A test, as the D1 calls made for it see it. */
export interface Owner {
  readonly name: string
  ended: boolean
  /** What the test's D1 calls ran, oldest first (bound values shown): the last ones. */
  readonly statements: string[]
  /** How many statements they ran in all. */
  total: number
}

/** How many statements a failure report keeps: the last ones. */
const keptStatements = 50

// One per realm: D1's methods are wrapped once, while with Vitest's `isolate: false` each test
// file loads this module again; every copy must tell the same tests apart.
const { owners } = realmState('d1-owners', () => ({ owners: new AsyncLocalStorage<Owner | null>() }))

/** Runs `work` for `owner`: every D1 call it makes, now or later, is that test's. */
export function runAs<T>(owner: Owner | null, work: () => T): T {
  return owners.run(owner, work)
}

/** The test the running code works for, if any. */
export function currentOwner(): Owner | undefined {
  return owners.getStore() ?? undefined
}

function lateWork(owner: Owner): LateWorkError {
  return new LateWorkError(
    `sqlite-fixtures/d1: test "${owner.name}" has ended, but work it left running (a timer, an unawaited promise or fetch, ` +
      'code that went on after a timeout, ctx.waitUntil) reached for D1. It was refused: nothing was run. Await everything ' +
      'it starts, and clear its timers, before it returns.',
  )
}

/** Refuses a call made for an ended test; records the statements of a running one. */
function admit(statements: () => string[]): LateWorkError | undefined {
  const owner = owners.getStore()
  if (!owner) return undefined
  if (owner.ended) return lateWork(owner)
  const ran = statements()
  owner.total += ran.length
  owner.statements.push(...ran)
  if (owner.statements.length > keptStatements) owner.statements.splice(0, owner.statements.length - keptStatements)
  return undefined
}

interface PreparedStatement {
  readonly statement?: string
  readonly params?: unknown[]
}

function statementText(statement: unknown): string {
  const { statement: sql, params } = statement as PreparedStatement
  return withBoundValues(typeof sql === 'string' ? sql : '(a statement)', params && params.length > 0 ? params : undefined)
}

/** The statements of a `batch()`. */
const batchStatements = (statements: unknown): string[] => (Array.isArray(statements) ? statements.map(statementText) : [])

/** The statements of a `query({ queries: [{ sql, params }] })`. */
function queryStatements(request: unknown): string[] {
  const queries = typeof request === 'object' && request !== null ? (request as { queries?: unknown }).queries : undefined
  if (!Array.isArray(queries)) return ['(query)']
  return queries.map((query: unknown) => statementText({ statement: (query as { sql?: unknown } | null)?.sql, params: (query as { params?: unknown } | null)?.params }))
}

type Method = (this: unknown, ...args: unknown[]) => unknown

/** Wraps a method that reaches the database: the call is admitted and noted first, then runs as it would have. */
function wrap(prototype: Record<string, unknown>, name: string, statements: (self: unknown, args: unknown[]) => string[], note: (self: unknown) => void): void {
  replaceOnce<Method>(prototype, name, (original) =>
    function (this: unknown, ...args: unknown[]) {
      const refused = admit(() => statements(this, args))
      // A refused call runs nothing: it leaves the database as it was.
      if (refused) return Promise.reject(refused)
      note(this)
      return original.apply(this, args)
    },
  )
}

/** Wraps a method that makes a statement (`prepare`, `bind`), to note what it was made from. */
function wrapMaker(prototype: Record<string, unknown>, name: string): void {
  replaceOnce<Method>(prototype, name, (original) =>
    function (this: unknown, ...args: unknown[]) {
      const made = original.apply(this, args)
      noteMadeFrom(made, this)
      return made
    },
  )
}

/**
 * Wraps the methods of D1's classes that reach the database: a prepared statement's
 * `run`, `all`, `first` and `raw` (after any `bind`), the database's `batch`, `exec` and
 * `query`, and a session's `batch`.
 * Found through a binding, as the runtime does not export them.
 */
export function instrumentD1(db: object): void {
  const database = Object.getPrototypeOf(db) as Record<string, unknown>
  const prepare = database.prepare as (sql: string) => object
  const statement = Object.getPrototypeOf(prepare.call(db, 'SELECT 1')) as Record<string, unknown>
  for (const name of ['run', 'all', 'first', 'raw']) wrap(statement, name, (self) => [statementText(self)], noteStatementCall)
  wrap(database, 'batch', (_, [statements]) => batchStatements(statements), noteDatabaseCall)
  // The JSRPC binding's query() (compatibility flag d1_binding_jsrpc), where the runtime has it.
  wrap(database, 'query', (_, [request]) => queryStatements(request), noteDatabaseCall)
  wrap(database, 'exec', (_, [sql]) => [typeof sql === 'string' ? sql : '(exec)'], noteDatabaseCall)
  wrapMaker(database, 'prepare')
  wrapMaker(statement, 'bind')
  // A session's statements and batches are not tied to a binding here: they count as reaching every database.
  replaceOnce<Method>(database, 'withSession', (original) =>
    function (this: unknown, ...args: unknown[]) {
      noteReachedAny()
      const session = original.apply(this, args)
      const prototype = typeof session === 'object' && session !== null ? (Object.getPrototypeOf(session) as Record<string, unknown>) : undefined
      if (prototype && prototype !== database) wrap(prototype, 'batch', (_, [statements]) => batchStatements(statements), noteReachedAny)
      return session
    },
  )
}
