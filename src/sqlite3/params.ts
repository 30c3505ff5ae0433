import { withBoundValues } from '../core/base/index.js'

/**
 * A statement as the test's SQL log shows it: the SQL and the values given with it, in any of
 * node-sqlite3's forms (`run(sql, a, b)`, `run(sql, [a, b])`, `run(sql, { $a: 1 })`), callbacks aside.
 */
export function loggedStatement(sql: string, args: readonly unknown[]): string {
  // Knex passes `undefined` for no values: node-sqlite3 binds nothing for it.
  const values = args.filter((arg) => typeof arg !== 'function' && arg !== undefined)
  if (values.length === 0) return sql
  const [first] = values
  const single = values.length === 1 && typeof first === 'object' && first !== null && !ArrayBuffer.isView(first) && !(first instanceof Date)
  return withBoundValues(sql, single ? (first as readonly unknown[] | Record<string, unknown>) : values)
}
