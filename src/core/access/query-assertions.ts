import type { Database } from 'better-sqlite3'
import { currentDb } from './current.js'
import { FixtureUnavailableError, isPromiseLike, numberedStatements, SqliteFixturesConfigError, SqliteFixturesError } from '../base/index.js'
import { statementLogOf } from '../diagnostics/index.js'
import { isTestDatabase } from './test-database.js'

/** What the statements of a block must satisfy; give at least one of `count`, `max`, `none`. */
export interface QueryExpectation {
  /** Exactly this many statements (every statement counts, `BEGIN` and `COMMIT` too). */
  count?: number
  /** At most this many statements. */
  max?: number
  /**
   * No statement may match: a regular expression, or a string found anywhere in the
   * statement, ignoring case; or a list of them. An N+1 guard: `none: /from order_lines where/i`.
   */
  none?: StatementPattern | readonly StatementPattern[]
  /** The database to watch. Default: the running test's (`currentDb()`). */
  db?: Database
}

/** A pattern statements are matched against (parameters appear inlined, as SQLite ran them). */
export type StatementPattern = RegExp | string

/** What a block returned, and the statements it ran, in order, parameters inlined. */
export interface CapturedQueries<T> {
  /** What the block returned (awaited, for an async block). */
  readonly result: T
  /** Every statement the block ran on the database, in order, parameters inlined. */
  readonly statements: readonly string[]
}

/** The statements a block ran did not meet the expectation; the message lists them. */
export class QueryAssertionError extends SqliteFixturesError {
  /** Every statement the block ran, in order. */
  readonly statements: readonly string[]

  constructor(message: string, statements: readonly string[]) {
    super(message, 'SQLITE_FIXTURES_QUERIES')
    this.statements = statements
  }
}

const expectationKeys = new Set(['count', 'max', 'none', 'db'])

function checkCount(name: 'count' | 'max', value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
    throw new SqliteFixturesConfigError(`sqlite-fixtures: expectQueries(): "${name}" must be a whole number of statements, 0 or more, got ${String(value)}.`)
  }
}

function patterns(none: QueryExpectation['none']): StatementPattern[] {
  if (none === undefined) return []
  const list = typeof none === 'string' || none instanceof RegExp ? [none] : [...none]
  for (const pattern of list) {
    if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) {
      throw new SqliteFixturesConfigError(`sqlite-fixtures: expectQueries(): "none" takes regular expressions or strings, got ${typeof pattern}.`)
    }
  }
  return list
}

function checkExpectation(expected: QueryExpectation): StatementPattern[] {
  if (typeof expected !== 'object' || expected === null) {
    throw new SqliteFixturesConfigError('sqlite-fixtures: expectQueries() takes { count?, max?, none?, db? } first, then the block to run.')
  }
  const unknown = Object.keys(expected).find((key) => !expectationKeys.has(key))
  if (unknown !== undefined) {
    throw new SqliteFixturesConfigError(`sqlite-fixtures: expectQueries(): unknown expectation "${unknown}". Use count, max, none (and db).`)
  }
  checkCount('count', expected.count)
  checkCount('max', expected.max)
  const none = patterns(expected.none)
  if (expected.count === undefined && expected.max === undefined && none.length === 0) {
    throw new SqliteFixturesConfigError('sqlite-fixtures: expectQueries() needs at least one of count, max or none.')
  }
  return none
}

const matches = (pattern: StatementPattern, sql: string) =>
  typeof pattern === 'string' ? sql.toLowerCase().includes(pattern.toLowerCase()) : new RegExp(pattern.source, pattern.flags.replace('g', '')).test(sql)

const describePattern = (pattern: StatementPattern) => (typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern))
const plural = (count: number) => `${count} statement${count === 1 ? '' : 's'}`

/** The failure message for statements that miss the expectation, or `undefined` when they meet it. */
function mismatch(expected: QueryExpectation, none: readonly StatementPattern[], statements: readonly string[]): string | undefined {
  const ran = statements.length
  const listing = ran === 0 ? '' : `:\n${numberedStatements(statements)}`
  if (expected.count !== undefined && ran !== expected.count) {
    return `sqlite-fixtures: expected the block to run ${plural(expected.count)}, but it ran ${ran}${listing}`
  }
  if (expected.max !== undefined && ran > expected.max) {
    return `sqlite-fixtures: expected the block to run at most ${plural(expected.max)}, but it ran ${ran}${listing}`
  }
  const matched = statements.map((sql) => none.some((pattern) => matches(pattern, sql)))
  const hits = matched.filter(Boolean).length
  if (hits === 0) return undefined
  return (
    `sqlite-fixtures: expected no statement matching ${none.map(describePattern).join(' or ')}, but ${hits} of the ` +
    `block's ${ran} did (marked >):\n${numberedStatements(statements, (i) => matched[i] === true)}`
  )
}

function logOf(db: Database | undefined) {
  // The handle stands for the running test's database.
  const watched = db === undefined || isTestDatabase(db) ? currentDb() : db
  const log = statementLogOf(watched)
  if (!log) {
    throw new FixtureUnavailableError(
      'sqlite-fixtures: this database records no statements, so expectQueries() and captureQueries() cannot see them: ' +
        "either it is not a test's database made by sqlite-fixtures, or the options sqlLog and integrity are both false. " +
        'Leave sqlLog on (the default) to use them.',
    )
  }
  return log
}

/** Runs `block` while collecting the statements it runs; async blocks are awaited. */
function collect<T>(db: Database | undefined, block: () => T, done: (result: Awaited<T>, statements: string[]) => unknown): unknown {
  const log = logOf(db)
  const statements = log.capture()
  let result: T
  try {
    result = block()
  } catch (error) {
    log.release(statements)
    throw error
  }
  if (!isPromiseLike(result)) {
    log.release(statements)
    return done(result as Awaited<T>, statements)
  }
  return Promise.resolve(result).then(
    (value) => {
      log.release(statements)
      return done(value as Awaited<T>, statements)
    },
    (error: unknown) => {
      log.release(statements)
      throw error
    },
  )
}

/**
 * Runs `block` and checks the statements it ran on the test's database, as pytest-django's
 * `django_assert_num_queries` does; returns what the block returned (a promise for an async
 * block). A miss throws `QueryAssertionError`, listing every statement:
 *
 * ```ts
 * const orders = await expectQueries({ count: 1 }, () => listOrdersWithLines(customerId))
 * expectQueries({ none: /from order_lines where order_id = /i }, () => renderInvoice(7))
 * ```
 *
 * Every statement run on the database while the block runs counts, including those of
 * other async work of the same test running meanwhile.
 */
export function expectQueries<T>(expected: QueryExpectation, block: () => Promise<T>): Promise<T>
export function expectQueries<T>(expected: QueryExpectation, block: () => T): T
export function expectQueries<T>(expected: QueryExpectation, block: () => T): T | Promise<Awaited<T>> {
  const none = checkExpectation(expected)
  return collect(expected.db, block, (result, statements) => {
    const message = mismatch(expected, none, statements)
    if (message !== undefined) throw new QueryAssertionError(message, [...statements])
    return result
  }) as T | Promise<Awaited<T>>
}

/** Runs `block` and returns what it returned with the statements it ran, for assertions of your own. */
export function captureQueries<T>(block: () => Promise<T>, options?: { db?: Database }): Promise<CapturedQueries<T>>
export function captureQueries<T>(block: () => T, options?: { db?: Database }): CapturedQueries<T>
export function captureQueries<T>(block: () => T, options: { db?: Database } = {}): CapturedQueries<T> | Promise<CapturedQueries<Awaited<T>>> {
  return collect(options.db, block, (result, statements) => ({ result, statements })) as
    | CapturedQueries<T>
    | Promise<CapturedQueries<Awaited<T>>>
}
