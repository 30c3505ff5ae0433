import type Database from 'better-sqlite3'

/** A table's shape, as SQLite reports it: what up/down consistency compares. */
export interface TableShape {
  columns: string[]
  indexes: string[]
  foreignKeys: string[]
}

/** TypeORM's own bookkeeping tables, left out of schema comparisons. */
const bookkeeping = new Set(['migrations', 'typeorm_metadata'])

/**
 * The schema of a database, by table, normalized so that two schemas compare equal when
 * they mean the same (TypeORM rebuilds SQLite tables to alter them, which reorders and
 * requotes their SQL text).
 */
export function schemaShape(db: Database.Database): Record<string, TableShape> {
  const tables = db
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[]
  const shape: Record<string, TableShape> = {}
  for (const table of tables.filter((name) => !bookkeeping.has(name))) {
    const columns = db.prepare('select name, type, "notnull", dflt_value, pk from pragma_table_info(?)').all(table) as {
      name: string
      type: string
      notnull: number
      dflt_value: string | null
      pk: number
    }[]
    const indexes = db.prepare('select name, "unique" from pragma_index_list(?)').all(table) as { name: string; unique: number }[]
    const keys = db.prepare('select "table", "from", "to", on_delete from pragma_foreign_key_list(?)').all(table) as {
      table: string
      from: string
      to: string | null
      on_delete: string
    }[]
    shape[table] = {
      columns: columns
        .map((c) => `${c.name} ${c.type}${c.notnull ? ' not null' : ''}${c.dflt_value === null ? '' : ` default ${c.dflt_value}`}${c.pk ? ' primary key' : ''}`)
        .sort(),
      indexes: indexes
        .map((index) => {
          const on = (db.prepare('select name from pragma_index_info(?) order by seqno').pluck().all(index.name) as string[]).join(', ')
          return `${index.unique ? 'unique ' : ''}(${on})`
        })
        .sort(),
      foreignKeys: keys.map((k) => `${k.from} -> ${k.table}(${k.to ?? ''}) on delete ${k.on_delete}`).sort(),
    }
  }
  return shape
}

/** What differs between two schema shapes, one line per difference. */
export function describeDifference(before: Record<string, TableShape>, after: Record<string, TableShape>): string[] {
  const lines: string[] = []
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[table]
    const b = after[table]
    if (!a) lines.push(`table ${table} is left behind`)
    else if (!b) lines.push(`table ${table} is missing`)
    else {
      for (const kind of ['columns', 'indexes', 'foreignKeys'] as const) {
        for (const item of a[kind]) if (!b[kind].includes(item)) lines.push(`${table}: ${kind} lost: ${item}`)
        for (const item of b[kind]) if (!a[kind].includes(item)) lines.push(`${table}: ${kind} added: ${item}`)
      }
    }
  }
  return lines
}
