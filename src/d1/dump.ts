import { openDatabase } from '../core/driver/index.js'

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** The order a schema is created in: tables before the indexes, views and triggers on them. */
const typeOrder = ['table', 'index', 'view', 'trigger']

/**
 * The template as SQL statements, for the public-API way of restoring it through a D1 binding:
 * the schema in creation order, then every row (SQLite's own `quote()` writes the literals,
 * blobs included), then the AUTOINCREMENT counters.
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
      const rows = db.prepare(`SELECT 'INSERT INTO ${quoteIdentifier(name).replaceAll("'", "''")} (${columns.join(', ').replaceAll("'", "''")}) VALUES (' || ${values} || ')' FROM ${quoteIdentifier(name)}`).pluck().all() as string[]
      statements.push(...rows)
    }
    const hasSequence = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined
    if (hasSequence) {
      const counters = db.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]
      statements.push(...counters.map(({ name, seq }) => `INSERT INTO sqlite_sequence (name, seq) VALUES ('${name.replaceAll("'", "''")}', ${seq})`))
    }
    return statements
  } finally {
    db.close()
  }
}
