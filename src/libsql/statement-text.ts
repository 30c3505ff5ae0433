import type { InArgs, InStatement } from '@libsql/client'
import { withBoundValues } from '../core/base/index.js'

/** A statement as libSQL's client takes it: SQL text, `{ sql, args }`, or (in a batch) `[sql, args]`. */
export type AnyStatement = InStatement | [string, InArgs?]

/**
 * A statement as the test's SQL log shows it: the SQL, then its arguments as SQL literals
 * (libSQL binds them itself, so unlike better-sqlite3's log they are not inlined).
 */
export function statementText(statement: AnyStatement): string {
  const [sql, args] = typeof statement === 'string' ? [statement, undefined] : Array.isArray(statement) ? statement : [statement.sql, statement.args]
  return withBoundValues(sql, args)
}
