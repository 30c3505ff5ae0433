import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'

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
 * A statement of the handle: it follows the test it runs in, prepared once on each test's
 * database, with its modes and bound parameters carried over. Whether it was prepared at
 * import time (Drizzle's `.prepare()`, a module-level `db.prepare(...)`), in a test, or while a
 * test imported a module, each use belongs to the test whose code makes it, as every other
 * use of the handle does: a use by work of a test that has ended is refused as late work.
 */
export class FollowingStatement extends HandleStatement {
  readonly #source: ConnectionSource
  /** Mode switches in the order made, the latest of each kind only: better-sqlite3's pluck, expand and raw exclude each other. */
  #modes: [Mode, boolean][] = []
  #version = 0
  #bound: unknown[] | undefined
  readonly #made = new WeakMap<Database, { statement: Statement; version: number }>()

  /** @param now whether to prepare it on the running test's database now, so bad SQL throws here, as better-sqlite3's does. */
  constructor(source: ConnectionSource, sql: string, now = false) {
    super(source.handle, sql)
    this.#source = source
    if (now) this.real()
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
