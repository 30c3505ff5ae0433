// What a SQL text holds, judged without a database: whether each of its statements only sets a
// connection up, so that node-sqlite3's handle may keep it for every test's connection.

/**
 * Whether `statement` (so far, at a `;`) is a trigger whose body has not ended, quoted text
 * aside. The body ends at an END right after one of its statements' `;`: no statement of a
 * body begins with END, while a CASE's END, or a column named end, never follows a `;`.
 */
function inTriggerBody(statement: string): boolean {
  // TRIGGER, then no more of a name: its own may follow with no space, quoted (`TRIGGER"log"`).
  if (!/^\s*create\s+(?:temp\s+|temporary\s+)?trigger(?![\w$\u0080-\uffff])/i.test(statement)) return false
  const unquoted = statement.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]/g, ' ')
  return !/;\s*end\s*$/i.test(unquoted)
}

/**
 * The statements of a SQL text, comments left out and quoted text kept whole; a trigger's
 * body (`CREATE TRIGGER ... BEGIN ...; ...; END`) stays in its statement. Only as exact as
 * `keepable()` needs: where it errs, a statement is cut short, and its tail is judged, and
 * refused, as a statement of its own.
 */
function statementsOf(sql: string): string[] {
  const statements: string[] = []
  let current = ''
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i] as string
    const close = char === "'" ? "'" : char === '"' ? '"' : char === '`' ? '`' : char === '[' ? ']' : undefined
    if (close !== undefined) {
      const end = sql.indexOf(close, i + 1)
      const to = end === -1 ? sql.length : end + 1
      current += sql.slice(i, to)
      i = to - 1
    } else if (char === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? sql.length : end
      current += ' '
    } else if (char === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? sql.length : end + 1
      current += ' '
    } else if (char === ';' && !inTriggerBody(current)) {
      statements.push(current)
      current = ''
    } else current += char
  }
  return [...statements, current].map((statement) => statement.trim()).filter(Boolean)
}

/**
 * Whether a `run` or `exec` made where no test runs may be kept and made again on every test's
 * connection: each of its statements only sets the connection up (a PRAGMA, or a CREATE, whose
 * IF NOT EXISTS holds on the template's copy), so that it changes no test's rows.
 */
export function keepable(sql: string): boolean {
  return statementsOf(sql).every((statement) => /^(?:pragma|create)\b/i.test(statement))
}

/** Whether `sql` is one statement: the driver's `run` makes only the first of several. */
export function oneStatement(sql: string): boolean {
  return statementsOf(sql).length === 1
}
