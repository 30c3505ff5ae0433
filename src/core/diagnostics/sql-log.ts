import type { Database } from 'better-sqlite3'
import { type ResolvedOptions, shortenStatement } from '../base/index.js'

/**
 * A statement that can leave rows that break a foreign key: one that sets `foreign_keys` or
 * `defer_foreign_keys`, or declares a constraint `INITIALLY DEFERRED`. Setting them at all
 * counts (a write may run while they are off, and they may be set back after).
 */
const riskyStatement = /foreign_keys\s*[=(]|initially\s+deferred/i
/** The setting the plugin (and TypeORM) applies to every connection: it turns checks on, not off. */
const checksOn = /^PRAGMA foreign_keys = ON$/i
/** Past this length a statement is shortened as it is recorded, so the log's memory stays small. */
const longStatement = 4_000

/**
 * What a test's connection ran, recorded through better-sqlite3's `verbose` callback, which
 * receives each statement as it starts, its parameters inlined (`sqlite3_expanded_sql`), from
 * every layer on the connection (raw calls, ORMs, the broker). It keeps the last `size`
 * statements in a ring, feeds query captures, and notes statements that could have let a
 * foreign key be broken, so the teardown check runs only when it can find something.
 */
export class StatementLog {
  readonly #ring: string[]
  #next = 0
  #count = 0
  #risky = false
  #paused = false
  readonly #captures = new Set<string[]>()

  /** @param size how many statements to keep for a failure report (0: keep none, only watch). */
  constructor(size: number) {
    this.#ring = new Array<string>(size)
  }

  /** The `verbose` callback to open the connection with. */
  readonly record = (statement: unknown): void => {
    if (this.#paused) return
    let sql = String(statement)
    if (!this.#risky && riskyStatement.test(sql) && !checksOn.test(sql)) this.#risky = true
    if (sql.length > longStatement) sql = shortenStatement(sql)
    for (const capture of this.#captures) capture.push(sql)
    this.#count += 1
    if (this.#ring.length === 0) return
    this.#ring[this.#next] = sql
    this.#next = (this.#next + 1) % this.#ring.length
  }

  /** Whether a statement on this connection set foreign key enforcement or deferral (kept across tests on a kept connection). */
  get risky(): boolean {
    return this.#risky
  }

  /** Forgets the statements before the test (the plugin's own setup): the report shows the test's. */
  startTest(): void {
    this.#next = 0
    this.#count = 0
  }

  /** The kept statements, oldest first, and how many the test ran in all. */
  recent(): { statements: string[]; total: number } {
    const kept = Math.min(this.#count, this.#ring.length)
    const start = (this.#next - kept + this.#ring.length) % (this.#ring.length || 1)
    const statements = Array.from({ length: kept }, (_, i) => this.#ring[(start + i) % this.#ring.length] as string)
    return { statements, total: this.#count }
  }

  /** Starts collecting every statement from now on into the returned list, until `release(list)`. */
  capture(): string[] {
    const list: string[] = []
    this.#captures.add(list)
    return list
  }

  release(list: string[]): void {
    this.#captures.delete(list)
  }

  /** Runs the plugin's own statements (checks at teardown) without recording them. */
  paused<T>(run: () => T): T {
    const was = this.#paused
    this.#paused = true
    try {
      return run()
    } finally {
      this.#paused = was
    }
  }
}

const logs = new WeakMap<Database, StatementLog>()

/** Links a connection to its log, for query assertions and the teardown check. */
export function attachLog(db: Database, log: StatementLog): void {
  logs.set(db, log)
}

/** The log of a connection the plugin opened with one; `undefined` for any other. */
export function statementLogOf(db: Database): StatementLog | undefined {
  return logs.get(db)
}

/**
 * A log for a new connection, or `undefined` when nothing reads one: the failure report
 * (`sqlLog`) and the integrity check both need it; with both off, no statement is hooked.
 */
export function newStatementLog(options: Pick<ResolvedOptions, 'sqlLog' | 'integrity'>): StatementLog | undefined {
  if (options.sqlLog === false && options.integrity === false) return undefined
  return new StatementLog(options.sqlLog === false ? 0 : options.sqlLog.size)
}
