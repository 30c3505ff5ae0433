import type { InArgs, InStatement, InValue } from '@libsql/client'

/** A statement as libSQL's client takes it: SQL text, `{ sql, args }`, or (in a batch) `[sql, args]`. */
export type AnyStatement = InStatement | [string, InArgs?]

/** Past this many bytes a blob shows as its size only. */
const shortBlob = 16

function valueText(value: InValue): string {
  if (value === null) return 'NULL'
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  if (typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'number') return String(value)
  if (value instanceof Date) return String(value.valueOf())
  const bytes = new Uint8Array(value instanceof ArrayBuffer ? value : value.buffer, value instanceof ArrayBuffer ? 0 : value.byteOffset, value.byteLength)
  if (bytes.length > shortBlob) return `x'...'/*${bytes.length} bytes*/`
  return `x'${Buffer.from(bytes).toString('hex')}'`
}

/**
 * A statement as the test's SQL log shows it: the SQL, then its arguments as SQL literals
 * (libSQL binds them itself, so unlike better-sqlite3's log they are not inlined).
 */
export function statementText(statement: AnyStatement): string {
  const [sql, args] = typeof statement === 'string' ? [statement, undefined] : Array.isArray(statement) ? statement : [statement.sql, statement.args]
  if (args === undefined) return sql
  const shown = Array.isArray(args)
    ? args.map(valueText)
    : Object.entries(args).map(([name, value]) => `${name} = ${valueText(value)}`)
  return shown.length === 0 ? sql : `${sql} /* args: ${shown.join(', ')} */`
}
