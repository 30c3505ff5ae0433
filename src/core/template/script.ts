import type { Database } from 'better-sqlite3'
import { lineAt, SchemaError, type StatementLocation } from '../base/index.js'

/** The index of `token` at or after `from`, or the end of `sql` when it never closes. */
function indexOrEnd(sql: string, token: string, from: number): number {
  const index = sql.indexOf(token, from)
  return index === -1 ? sql.length : index
}

/** Offsets of the `;` that end statements, skipping those in strings, identifiers and comments. */
function semicolons(sql: string): number[] {
  const ends: number[] = []
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i]
    const next = sql[i + 1]
    if (char === ';') ends.push(i)
    else if (char === "'" || char === '"' || char === '`') i = indexOrEnd(sql, char, i + 1)
    else if (char === '[') i = indexOrEnd(sql, ']', i + 1)
    else if (char === '-' && next === '-') i = indexOrEnd(sql, '\n', i)
    else if (char === '/' && next === '*') i = indexOrEnd(sql, '*/', i + 2) + 1
  }
  if (sql.slice((ends.at(-1) ?? -1) + 1).trim() !== '') ends.push(sql.length)
  return ends
}

/** Only prepare can tell a statement still open inside a trigger body from a finished one. */
export function isIncomplete(error: unknown): boolean {
  return error instanceof Error && /incomplete input/.test(error.message)
}

/** A statement of a script, as the splitter found it. */
export interface ScriptStatement {
  readonly text: string
  /** Where it is, for an error that names it. */
  location(file: string): StatementLocation
  /** Whether it runs to the end of the script (nothing is left to join it with). */
  readonly last: boolean
}

/**
 * The statements of a script, in order, for a caller that runs each one: pass `true` to
 * `next()` after one failed as incomplete input (a `;` inside a trigger body), and the
 * statement grows to the next `;`. Only running it tells the two apart.
 */
export function* scriptStatements(sql: string): Generator<ScriptStatement, undefined, boolean | undefined> {
  let start = 0
  for (const end of semicolons(sql)) {
    const text = sql.slice(start, end + 1)
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|;/g, '').trim() === '') {
      start = end + 1
      continue
    }
    const offset = start + (text.length - text.trimStart().length)
    const incomplete = yield { text, last: end >= sql.length, location: (file) => ({ file, line: lineAt(sql, offset), statement: text.trim() }) }
    if (!incomplete) start = end + 1
  }
  return undefined
}

/**
 * Runs a SQL script statement by statement and reports the first statement that fails,
 * with its file and line. Used only after a whole-script `exec` failed, to explain why.
 */
function locateFailure(db: Database, sql: string, file: string): { location: StatementLocation; error: unknown } | undefined {
  const statements = scriptStatements(sql)
  for (let next = statements.next(); !next.done; ) {
    const statement = next.value
    try {
      db.prepare(statement.text).run()
      next = statements.next(false)
    } catch (error) {
      if (!isIncomplete(error) || statement.last) return { location: statement.location(file), error }
      next = statements.next(true)
    }
  }
  return undefined
}

/**
 * Applies one SQL script to `db`. Fast path: one `exec`. When it fails, the script is
 * replayed on `scratch` (a database in the same state as `db` was before) to find the
 * failing statement, so the error names the file, the line and the SQL.
 */
export function applyScript(db: Database, sql: string, file: string, scratch: () => Database): void {
  try {
    db.exec(sql)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const found = locateFailure(scratch(), sql, file)
    if (!found) throw new SchemaError(`sqlite-fixtures: ${file} failed: ${reason}`, undefined, { cause: error })
    const detail = found.error instanceof Error ? found.error.message : reason
    throw statementError(found.location, detail, error)
  }
}

/** A script's statement failed: the error names its file, line and text. */
export function statementError(location: StatementLocation, detail: string, cause: unknown): SchemaError {
  return new SchemaError(
    `sqlite-fixtures: ${location.file}:${location.line} failed: ${detail}\n` +
      `  in statement: ${location.statement}\n` +
      `  Fix the statement, or the file order (files run in name order), and run the tests again.`,
    location,
    { cause },
  )
}
