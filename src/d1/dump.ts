import { openDatabase } from '../core/driver/index.js'

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * The longest statement a restore sends: D1 refuses a statement over 100,000 bytes; a table's
 * rows go in as few INSERTs as fit under this (a row longer than that goes alone, as before).
 */
export const maxStatementBytes = 90_000

/** `INSERT INTO <table> (<columns>) VALUES <row>, <row>, ...`: the rows in statements of at most `maxBytes` each. */
function multiRowInserts(head: string, rows: readonly string[], maxBytes = maxStatementBytes): string[] {
  const statements: string[] = []
  let values: string[] = []
  let bytes = Buffer.byteLength(head)
  for (const row of rows) {
    const size = Buffer.byteLength(row) + 2
    if (values.length > 0 && bytes + size > maxBytes) {
      statements.push(`${head}${values.join(', ')}`)
      values = []
      bytes = Buffer.byteLength(head)
    }
    values.push(row)
    bytes += size
  }
  if (values.length > 0) statements.push(`${head}${values.join(', ')}`)
  return statements
}

/** The order a schema is created in: tables before the indexes, views and triggers on them. */
const typeOrder = ['table', 'index', 'view', 'trigger']

/**
 * The template as SQL statements, for the public-API way of restoring it through a D1 binding:
 * the schema in creation order, then every table's rows in multi-row INSERTs (SQLite's own
 * `quote()` writes the literals, blobs included), then the AUTOINCREMENT counters.
 */
export function templateStatements(file: string): string[] {
  const db = openDatabase(file, { readonly: true, fileMustExist: true })
  try {
    const objects = db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")
      .all() as { type: string; name: string; sql: string }[]
    objects.sort((a, b) => typeOrder.indexOf(a.type) - typeOrder.indexOf(b.type))
    const statements = objects.map((object) => object.sql)
    for (const { name } of objects.filter((object) => object.type === 'table')) {
      const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((column) => quoteIdentifier(column.name))
      const values = columns.map((column) => `quote(${column})`).join(` || ',' || `)
      const rows = db.prepare(`SELECT '(' || ${values} || ')' FROM ${quoteIdentifier(name)}`).pluck().all() as string[]
      statements.push(...multiRowInserts(`INSERT INTO ${quoteIdentifier(name)} (${columns.join(', ')}) VALUES `, rows))
    }
    const hasSequence = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined
    if (hasSequence) {
      const counters = db.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]
      // Inserting the rows set the counters to their highest ids already: the template's may be higher (rows deleted).
      statements.push('DELETE FROM sqlite_sequence')
      statements.push(...counters.map(({ name, seq }) => `INSERT INTO sqlite_sequence (name, seq) VALUES ('${name.replaceAll("'", "''")}', ${seq})`))
    }
    return statements
  } finally {
    db.close()
  }
}
