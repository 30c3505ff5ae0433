import type { Database } from 'better-sqlite3'
import { type IntegrityLevel, SqliteFixturesError } from '../base/index.js'
import { statementLogOf } from './sql-log.js'

/** One row that breaks a foreign key, as `PRAGMA foreign_key_check` names it. */
export interface ForeignKeyViolation {
  /** The table holding the row. */
  readonly table: string
  /** The row's rowid; `null` in a `WITHOUT ROWID` table. */
  readonly rowid: number | bigint | null
  /** The table the row should reference. */
  readonly parent: string
  /** The row's key columns and their values, e.g. `customer_id = 99`, and the parent columns they should match. */
  readonly key: string
}

/** A test passed but left its database breaking a foreign key (or, with `integrity: 'full'`, corrupted). */
export class IntegrityError extends SqliteFixturesError {
  /** Every row `PRAGMA foreign_key_check` reported. */
  readonly violations: readonly ForeignKeyViolation[]
  /** What `PRAGMA integrity_check` reported (`integrity: 'full'`); empty otherwise. */
  readonly problems: readonly string[]

  constructor(message: string, violations: readonly ForeignKeyViolation[], problems: readonly string[]) {
    super(message, 'SQLITE_FIXTURES_INTEGRITY')
    this.violations = violations
    this.problems = problems
    // Found after the test, by the plugin: no line of the test is at fault, so no stack to show.
    this.stack = `${this.name}: ${message}`
  }
}

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`
/** How many violations a message lists. */
const listed = 10

interface ForeignKeyColumn {
  id: number
  table: string
  from: string
  to: string | null
}

/** A value as the report shows it; bigint too (a connection with safe integers on reads them so). */
function literal(value: unknown): string {
  return typeof value === 'bigint' ? String(value) : JSON.stringify(value)
}

function describeKey(db: Database, violation: { table: string; rowid: number | bigint | null; fkid: number }): string {
  const columns = (db.prepare('select id, "table", "from", "to" from pragma_foreign_key_list(?)').all(violation.table) as ForeignKeyColumn[])
    .filter((column) => Number(column.id) === Number(violation.fkid))
  let values: unknown[] = []
  if (violation.rowid !== null && columns.length > 0) {
    const select = `select ${columns.map((column) => quoteName(column.from)).join(', ')} from ${quoteName(violation.table)} where rowid = ?`
    values = (db.prepare(select).raw().get(violation.rowid) as unknown[] | undefined) ?? []
  }
  const from = columns.map((column, i) => (i < values.length ? `${column.from} = ${literal(values[i])}` : column.from))
  const to = columns.every((column) => column.to !== null) ? `(${columns.map((column) => column.to).join(', ')})` : ' (its primary key)'
  return `${from.join(', ')} has no match in ${columns[0]?.table ?? '?'}${to}`
}

/** The rows that break a foreign key, described; empty when there are none. */
function foreignKeyViolations(db: Database): ForeignKeyViolation[] {
  const found = db.pragma('foreign_key_check') as { table: string; rowid: number | bigint | null; parent: string; fkid: number }[]
  return found.map((violation) => ({
    table: violation.table,
    rowid: violation.rowid,
    parent: violation.parent,
    key: describeKey(db, violation),
  }))
}

/** What `PRAGMA integrity_check` reports; empty when it says ok. */
function integrityProblems(db: Database): string[] {
  const rows = db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]
  return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok')
}

function violationLine(violation: ForeignKeyViolation): string {
  const row = violation.rowid === null ? 'a row (WITHOUT ROWID)' : `rowid ${violation.rowid}`
  return `  ${violation.table} ${row}: ${violation.key}`
}

/** What the check found. */
export interface IntegrityFindings {
  readonly violations: readonly ForeignKeyViolation[]
  readonly problems: readonly string[]
}

/** The error that fails a passed test whose database is inconsistent, with the report's sections after it. */
export function integrityError(test: string, { violations, problems }: IntegrityFindings, sections: readonly string[]): IntegrityError {
  const lines = [`sqlite-fixtures: test "${test}" passed, but left its database inconsistent:`]
  if (violations.length > 0) {
    lines.push(`${violations.length} row(s) break a foreign key (PRAGMA foreign_key_check):`)
    lines.push(...violations.slice(0, listed).map(violationLine))
    if (violations.length > listed) lines.push(`  ... and ${violations.length - listed} more`)
    lines.push(
      'A write ran while foreign keys were off (PRAGMA foreign_keys = OFF, or another connection) or deferred ' +
        '(PRAGMA defer_foreign_keys, DEFERRABLE INITIALLY DEFERRED) and was never checked. Fix the test or the code under ' +
        'test; to skip this check, set the option integrity: false.',
    )
  }
  if (problems.length > 0) lines.push('PRAGMA integrity_check:', ...problems.slice(0, listed).map((line) => `  ${line}`))
  return new IntegrityError([...lines, ...sections].join('\n'), violations, problems)
}

const dataVersion = (db: Database) => db.pragma('data_version', { simple: true }) as number
const totalChanges = (db: Database) => db.prepare('select total_changes()').pluck().get() as number

/** What the check compares at teardown, taken when the test's database is made. */
export interface IntegrityBaseline {
  /** `PRAGMA data_version`: it moves when another connection commits (file mode). */
  readonly dataVersion: number | undefined
  /** `total_changes()`, for `'full'`, which runs whenever the test wrote. */
  readonly changes: number | undefined
}

/**
 * The check run after a test passes. `PRAGMA foreign_key_check` scans every table (~0.1-0.2
 * ms on a 0.5 MB, 40-table template, up to ~1 s at 50 MB), so it runs only when the test could have
 * left a broken key: with checks on and immediate, SQLite refuses such a write itself, and a
 * deferred one at COMMIT. That takes a statement that named `foreign_keys` or
 * `defer_foreign_keys` other than to turn checks on (the statement log sees each, in any
 * spelling), a deferred constraint in the schema with the transaction still open (isolation
 * 'savepoint' keeps one open), or a write by another connection (file mode), whose settings
 * are its own.
 */
export class IntegrityCheck {
  readonly #level: Exclude<IntegrityLevel, false>
  /**
   * Whether each connection's schema declares deferred constraints, by its schema version:
   * clones of a block's derived template, or a test that changed the schema, differ from the base.
   */
  readonly #deferredSchema = new WeakMap<Database, { version: number; deferred: boolean }>()

  constructor(level: Exclude<IntegrityLevel, false>) {
    this.#level = level
  }

  /** Reads what the check compares later; call before the test runs. */
  baseline(db: Database, file: string | undefined): IntegrityBaseline {
    return {
      dataVersion: file === undefined ? undefined : dataVersion(db),
      changes: this.#level === 'full' ? totalChanges(db) : undefined,
    }
  }

  /** What is wrong with the test's database, or `undefined` when it is consistent (or was not checked). */
  run(db: Database, since: IntegrityBaseline): IntegrityFindings | undefined {
    if (!db.open) return undefined
    const check = () => {
      if (!this.#needed(db, since)) return undefined
      const violations = foreignKeyViolations(db)
      const problems = this.#level === 'full' ? integrityProblems(db) : []
      return violations.length === 0 && problems.length === 0 ? undefined : { violations, problems }
    }
    const log = statementLogOf(db)
    return log ? log.paused(check) : check()
  }

  #needed(db: Database, since: IntegrityBaseline): boolean {
    const otherConnectionWrote = since.dataVersion !== undefined && dataVersion(db) !== since.dataVersion
    if (otherConnectionWrote) return true
    if (this.#level === 'full') return totalChanges(db) !== since.changes
    const log = statementLogOf(db)
    // Without a log nothing tells a risky statement from another: check every test.
    if (!log || log.risky) return true
    return db.inTransaction && this.#hasDeferredConstraints(db)
  }

  #hasDeferredConstraints(db: Database): boolean {
    const version = Number(db.pragma('schema_version', { simple: true }))
    let known = this.#deferredSchema.get(db)
    if (known?.version !== version) {
      const deferred = Number(db.prepare("select exists (select 1 from sqlite_schema where sql like '%deferred%')").pluck().get()) === 1
      known = { version, deferred }
      this.#deferredSchema.set(db, known)
    }
    return known.deferred
  }
}
