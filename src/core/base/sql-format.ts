/** A string or blob literal longer than this is cut in reports. */
const longLiteral = 64
/** How much of a cut literal is shown. */
const literalHead = 40
/** A statement longer than this (after cutting literals) shows its head and tail. */
const longStatement = 1_000
const statementHead = 700
const statementTail = 200

/** The index of the quote closing a literal opened before `from` (`''` is an escaped quote). */
function closingQuote(sql: string, quote: string, from: number): number {
  for (let at = sql.indexOf(quote, from); at !== -1; at = sql.indexOf(quote, at + 2)) {
    if (sql[at + 1] !== quote) return at
  }
  return sql.length
}

/** Cuts long string and blob literals: `'aaaa…' (5000 chars)`, `x'0a0b…' (4096 bytes)`. */
function cutLiterals(sql: string): string {
  let out = ''
  let copied = 0
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i]
    if (char === '"' || char === '`') {
      i = closingQuote(sql, char, i + 1) // an identifier: never cut
      continue
    }
    if (char !== "'") continue
    const end = closingQuote(sql, "'", i + 1)
    const length = end - i - 1
    if (length > longLiteral) {
      const blob = /[xX]/.test(sql[i - 1] ?? '') && !/\w/.test(sql[i - 2] ?? '')
      const size = blob ? `${Math.floor(length / 2)} bytes` : `${length} chars`
      out += `${sql.slice(copied, i + 1 + literalHead)}…' (${size})`
      copied = end + 1
    }
    i = end
  }
  return copied === 0 ? sql : out + sql.slice(copied)
}

/**
 * A statement as reports show it: long parameters (inlined as literals) cut, whitespace
 * runs folded to one space, and a very long statement cut in the middle.
 */
export function shortenStatement(sql: string): string {
  const text = cutLiterals(sql).replace(/\s+/g, ' ').trim()
  if (text.length <= longStatement) return text
  const cut = text.length - statementHead - statementTail
  return `${text.slice(0, statementHead)} … (${cut} chars) … ${text.slice(-statementTail)}`
}

/** Statements as a numbered list, one per line; `marked` ones get a `>` in the margin. */
export function numberedStatements(statements: readonly string[], marked?: (index: number) => boolean, firstNumber = 1): string {
  const width = String(firstNumber + statements.length - 1).length
  return statements
    .map((sql, i) => `  ${marked?.(i) ? '>' : ' '} ${String(firstNumber + i).padStart(width)}. ${shortenStatement(sql)}`)
    .join('\n')
}

/** The line (from 1) that `offset` in `sql` falls on. */
export function lineAt(sql: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset; i++) if (sql.charCodeAt(i) === 10) line++
  return line
}

/** Past this many bytes a bound blob shows as its size only. */
const shortBlob = 16

/** A bound value as a SQL literal, for a log of statements whose driver binds values itself. */
function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (value instanceof Date) return String(value.valueOf())
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    if (bytes.length > shortBlob) return `x'...'/*${bytes.length} bytes*/`
    return `x'${Buffer.from(bytes).toString('hex')}'`
  }
  return String(value)
}

/**
 * A statement as a test's SQL log shows it when the driver binds its values itself (libSQL,
 * node-sqlite3), unlike better-sqlite3's log, which inlines them: the SQL, then its bound
 * values as SQL literals, by position or by name.
 */
export function withBoundValues(sql: string, values: readonly unknown[] | Readonly<Record<string, unknown>> | undefined): string {
  if (values === undefined) return sql
  const shown = Array.isArray(values)
    ? values.map(sqlLiteral)
    : Object.entries(values).map(([name, value]) => `${name} = ${sqlLiteral(value)}`)
  return shown.length === 0 ? sql : `${sql} /* args: ${shown.join(', ')} */`
}
