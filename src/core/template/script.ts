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
function isIncomplete(error: unknown): boolean {
  return error instanceof Error && /incomplete input/.test(error.message)
}

/**
 * Runs a SQL script statement by statement and reports the first statement that fails,
 * with its file and line. Used only after a whole-script `exec` failed, to explain why.
 */
function locateFailure(db: Database, sql: string, file: string): { location: StatementLocation; error: unknown } | undefined {
  let start = 0
  for (const end of semicolons(sql)) {
    const text = sql.slice(start, end + 1)
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|;/g, '').trim() === '') {
      start = end + 1
      continue
    }
    try {
      db.prepare(text).run()
    } catch (error) {
      if (isIncomplete(error) && end < sql.length) continue
      const offset = start + (text.length - text.trimStart().length)
      const statement = text.trim()
      return { location: { file, line: lineAt(sql, offset), statement }, error }
    }
    start = end + 1
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
    const { location } = found
    const detail = found.error instanceof Error ? found.error.message : reason
    throw new SchemaError(
      `sqlite-fixtures: ${file}:${location.line} failed: ${detail}\n` +
        `  in statement: ${location.statement}\n` +
        `  Fix the statement, or the file order (files run in name order), and run the tests again.`,
      location,
      { cause: error },
    )
  }
}
