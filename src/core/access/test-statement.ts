import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { refuse, scopeIfAny, type TestScope } from '../lifecycle/index.js'
import { CrossTestError, FixtureUnavailableError, LateWorkError } from '../base/index.js'

type Statement = BetterSqlite3.Statement<unknown[], unknown>

/** The switches of a statement that change what it returns. */
type Mode = 'pluck' | 'expand' | 'raw' | 'safeIntegers'

/** Where a handle's statements find the database of the test they run in. */
export interface ConnectionSource {
  /** The handle itself: what `statement.database` answers. */
  readonly handle: Database
  /** The running test's database (made on first use); throws outside a test. */
  connection(): Database
}

function clip(source: string): string {
  const text = source.replace(/\s+/g, ' ').trim()
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/**
 * A statement of `testDatabase()`, shaped as better-sqlite3's: every use runs on the
 * statement `real()` returns for the test it runs in.
 */
abstract class HandleStatement {
  readonly database: Database
  readonly source: string

  constructor(database: Database, source: string) {
    this.database = database
    this.source = source
  }

  /** The real statement this use runs on. */
  protected abstract real(): Statement
  protected abstract setMode(mode: Mode, on: boolean): void

  get reader(): boolean {
    return this.real().reader
  }

  get readonly(): boolean {
    return this.real().readonly
  }

  get busy(): boolean {
    return this.real().busy
  }

  run(...params: unknown[]): BetterSqlite3.RunResult {
    return this.real().run(...params)
  }

  get(...params: unknown[]): unknown {
    return this.real().get(...params)
  }

  all(...params: unknown[]): unknown[] {
    return this.real().all(...params)
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.real().iterate(...params)
  }

  columns(): BetterSqlite3.ColumnDefinition[] {
    return this.real().columns()
  }

  // better-sqlite3 takes a missing argument as true, and refuses an explicit undefined.
  pluck(on = true): this {
    this.setMode('pluck', on)
    return this
  }

  expand(on = true): this {
    this.setMode('expand', on)
    return this
  }

  raw(on = true): this {
    this.setMode('raw', on)
    return this
  }

  safeIntegers(on = true): this {
    this.setMode('safeIntegers', on)
    return this
  }

  abstract bind(...params: unknown[]): this
}

/**
 * A statement prepared during a test: it belongs to that test's database, so running it in
 * another test (a module cache filled by the first test, work a test left running) is an
 * error that says so, never a write to the wrong database.
 */
export class BoundStatement extends HandleStatement {
  readonly #statement: Statement
  readonly #scope: TestScope

  constructor(database: Database, statement: Statement, scope: TestScope) {
    super(database, statement.source)
    this.#statement = statement
    this.#scope = scope
  }

  protected real(): Statement {
    // Work of a test that has ended is refused here, before anything else.
    const here = scopeIfAny()
    const mine = this.#scope
    if (here === mine && !mine.ended) return this.#statement
    const made = `a statement prepared through testDatabase() in test "${mine.test.name}" (${clip(this.source)})`
    const fix =
      'A statement prepared during a test belongs to that test. Prepare it at import time (a statement ' +
      'prepared outside any test follows each test), or again in the test that runs it.'
    if (here !== undefined && here !== mine) {
      throw refuse(new CrossTestError(`sqlite-fixtures: ${made} was used in test "${here.test.name}". ${fix}`))
    }
    if (mine.ended) throw mine.refuse(new LateWorkError(`sqlite-fixtures: ${made} was used after that test ended. ${fix}`))
    throw new FixtureUnavailableError(`sqlite-fixtures: ${made} was used outside the async context of any test. ${fix}`)
  }

  protected setMode(mode: Mode, on: boolean): void {
    this.#statement[mode](on)
  }

  bind(...params: unknown[]): this {
    this.#statement.bind(...params)
    return this
  }
}

/**
 * A statement prepared outside any test (at import time, like Drizzle's `.prepare()` or a
 * module-level `db.prepare(...)`): it follows the test it runs in, prepared once on each
 * test's database, with its modes and bound parameters carried over.
 */
export class FollowingStatement extends HandleStatement {
  readonly #source: ConnectionSource
  /** Mode switches in the order made, the latest of each kind only: better-sqlite3's pluck, expand and raw exclude each other. */
  #modes: [Mode, boolean][] = []
  #version = 0
  #bound: unknown[] | undefined
  readonly #made = new WeakMap<Database, { statement: Statement; version: number }>()

  constructor(source: ConnectionSource, sql: string) {
    super(source.handle, sql)
    this.#source = source
  }

  protected real(): Statement {
    const db = this.#source.connection()
    let made = this.#made.get(db)
    if (!made) {
      const statement = db.prepare(this.source) as Statement
      if (this.#bound) statement.bind(...this.#bound)
      made = { statement, version: -1 }
      this.#made.set(db, made)
    }
    if (made.version !== this.#version) {
      for (const [mode, on] of this.#modes) made.statement[mode](on)
      made.version = this.#version
    }
    return made.statement
  }

  protected setMode(mode: Mode, on: boolean): void {
    this.#modes = [...this.#modes.filter(([kind]) => kind !== mode), [mode, on]]
    this.#version += 1
  }

  bind(...params: unknown[]): this {
    // better-sqlite3's own rule, kept: parameters are bound once per statement.
    if (this.#bound) throw new TypeError('The bind() method can only be invoked once per statement object')
    this.#bound = params
    return this
  }
}
