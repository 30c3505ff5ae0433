import type { Database } from 'better-sqlite3'
import { realmState, type ResolvedOptions, shortenStatement } from '../base/index.js'

/** A statement as SQLite reads its words: comments out, and the quotes around names gone. */
const plainWords = (sql: string) => sql.replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, ' ').replace(/["'`[\]]/g, '')
/** `PRAGMA foreign_keys = ON` in any spelling: it turns checks on, which never lets a broken row in. */
const checksOn = /^\s*pragma\s+(?:\w+\.)?foreign_keys\s*(?:=\s*|\(\s*)(?:on|1|true|yes)\s*\)?\s*;?\s*$/i

/**
 * Whether a statement can let rows in that break a foreign key: any that names
 * `foreign_keys` or `defer_foreign_keys` (checks turned off or deferred, even if set back
 * later), but for turning checks on. SQLite changes these settings only through a PRAGMA
 * whose text names them, however it is quoted, cased or commented; so no spelling escapes.
 */
function risksForeignKeys(sql: string): boolean {
  return /foreign_keys/i.test(sql) && !checksOn.test(plainWords(sql))
}

/** Pragmas that take an argument only to read (`PRAGMA table_info(t)`): they change no setting. */
const readingPragmas = /^(?:table_x?info|index_x?info|index_list|foreign_key_list|foreign_key_check|integrity_check|quick_check|table_list)$/i

/** Whether a statement changes a setting of its connection (`PRAGMA name = value`, `PRAGMA name(value)`). */
function setsConnection(sql: string): boolean {
  const pragma = /^\s*pragma\s+(?:\w+\.)?(\w+)\s*([=(])/i.exec(plainWords(sql))
  return pragma !== null && (pragma[2] === '=' || !readingPragmas.test(pragma[1] as string))
}
/** Past this length a statement is shortened as the report's ring keeps it, so the log's memory stays small. */
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
  #settingChanged = false
  #paused = false
  /** Checks, before each statement of the test runs, that the code running it may: it throws to refuse. */
  #guard: (() => void) | undefined
  readonly #captures = new Set<string[]>()

  /** @param size how many statements to keep for a failure report (0: keep none, only watch). */
  constructor(size: number) {
    this.#ring = new Array<string>(size)
  }

  /** The `verbose` callback to open the connection with. */
  readonly record = (statement: unknown): void => {
    if (this.#paused) return
    this.#guard?.()
    const sql = String(statement)
    if (!this.#risky && risksForeignKeys(sql)) this.#risky = true
    if (!this.#settingChanged && /^\s*pragma/i.test(sql) && setsConnection(sql)) this.#settingChanged = true
    // Assertions see each statement whole, as it ran; only the report shortens it.
    for (const capture of this.#captures) capture.push(sql)
    this.#count += 1
    if (this.#ring.length === 0) return
    this.#ring[this.#next] = sql.length > longStatement ? shortenStatement(sql) : sql
    this.#next = (this.#next + 1) % this.#ring.length
  }

  /** Whether a statement on this connection set foreign key enforcement or deferral (kept across tests on a kept connection). */
  get risky(): boolean {
    return this.#risky
  }

  /** Whether a statement of this test changed a setting of the connection (a pragma): a kept connection is then not reused. */
  get settingChanged(): boolean {
    return this.#settingChanged
  }

  /**
   * Starts a test on this connection: forgets the statements before it (the plugin's own
   * set-up), so the report shows the test's, and checks each statement with `guard`.
   */
  startTest(guard?: () => void): void {
    this.#next = 0
    this.#count = 0
    this.#settingChanged = false
    this.#guard = guard
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

/** Per realm: query assertions of a copy of the package loaded after a module reset find the logs the first copy made. */
const logs = realmState('statement-logs', () => new WeakMap<Database, StatementLog>())

/** Links a connection to its log, for query assertions and the teardown check. */
export function attachLog(db: Database, log: StatementLog): void {
  logs.set(db, log)
}

/** The log of a connection the plugin opened with one; `undefined` for any other. */
export function statementLogOf(db: Database): StatementLog | undefined {
  return logs.get(db)
}

/**
 * A log for a new connection: it keeps the statements a failure report shows (`sqlLog`), notes
 * what the integrity check needs, and runs the ownership guard before each statement, which
 * stays on whatever the options say: a connection another test handed over is refused by it.
 */
export function newStatementLog(options: Pick<ResolvedOptions, 'sqlLog'>): StatementLog {
  return new StatementLog(options.sqlLog === false ? 0 : options.sqlLog.size)
}
