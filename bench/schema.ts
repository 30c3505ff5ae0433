// The benchmark's schema and seed: 40 tables, each with up to two foreign keys to earlier
// tables and two indexes, generated deterministically (no random numbers, no clock), so
// every run and every machine measures the same database.
import fs from 'node:fs'
import path from 'node:path'

/** Table names from an ordinary business app, so the schema reads like a real one. */
export const tableNames = [
  'tenants', 'users', 'teams', 'memberships', 'customers', 'addresses', 'contacts', 'suppliers',
  'categories', 'products', 'variants', 'prices', 'warehouses', 'stock_levels', 'carts', 'cart_items',
  'orders', 'order_lines', 'payments', 'refunds', 'invoices', 'invoice_lines', 'shipments', 'parcels',
  'returns', 'coupons', 'redemptions', 'reviews', 'tickets', 'ticket_comments', 'projects', 'tasks',
  'time_entries', 'documents', 'attachments', 'tags', 'taggings', 'webhooks', 'deliveries', 'audit_events',
] as const

/** The number of tables in the benchmark schema. */
const tableCount = tableNames.length

/** A table's parents: the two tables before it (one for the second table, none for the first). */
export function parents(index: number): number[] {
  return [index - 1, Math.floor((index - 1) / 2)].filter((parent, i, all) => parent >= 0 && parent < index && all.indexOf(parent) === i)
}

export function tableSql(index: number): string {
  const name = tableNames[index] as string
  const keys = parents(index).map((parent) => `${tableNames[parent]}_id`)
  const columns = [
    'id integer primary key',
    ...keys.map((key, i) => `${key} integer not null references ${tableNames[parents(index)[i] as number]}(id)`),
    'name text not null',
    'email text',
    'status text not null default \'active\'',
    'amount_cents integer not null default 0',
    'notes text',
    'created_at text not null',
    'updated_at text',
  ]
  const firstIndexed = keys[0] ?? 'name'
  return [
    `create table ${name} (\n  ${columns.join(',\n  ')}\n);`,
    `create index ${name}_by_${firstIndexed} on ${name} (${firstIndexed});`,
    `create index ${name}_by_status on ${name} (status, created_at);`,
  ].join('\n')
}

/** The schema: 40 `create table` statements with 2 indexes each. */
export function schemaSql(): string {
  return tableNames.map((_, index) => tableSql(index)).join('\n\n') + '\n'
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/** One row's values, a pure function of its table and number. */
function rowValues(index: number, row: number, rowsPerTable: number): string {
  const name = tableNames[index] as string
  const keys = parents(index).map((_, i) => String(((row * 7 + i * 3) % rowsPerTable) + 1))
  const day = String((row % 28) + 1).padStart(2, '0')
  return [
    String(row),
    ...keys,
    quote(`${name} ${row}`),
    row % 5 === 0 ? 'null' : quote(`${name}.${row}@example.test`),
    quote(['active', 'pending', 'archived'][row % 3] as string),
    String((row * 1299) % 100_000),
    row % 4 === 0 ? quote(`note about ${name} ${row}: checked and approved`) : 'null',
    quote(`2024-03-${day}T10:00:00Z`),
    'null',
  ].join(', ')
}

/**
 * A seed as a user would write it: one multi-row `insert` per table, parents first,
 * `rowsPerTable` rows in each (25 rows x 40 tables = 1,000 rows).
 */
export function seedSql(rowsPerTable = 25): string {
  return tableNames
    .map((name, index) => {
      const rows = Array.from({ length: rowsPerTable }, (_, i) => `  (${rowValues(index, i + 1, rowsPerTable)})`)
      return `insert into ${name} values\n${rows.join(',\n')};`
    })
    .join('\n\n') + '\n'
}

/**
 * A seed that makes many rows from little text: one recursive `insert ... select` per
 * table. Used for the large template, whose literal seed would be tens of megabytes.
 */
export function bulkSeedSql(rowsPerTable: number): string {
  return tableNames
    .map((name, index) => {
      const keys = parents(index).map((_, i) => `((n * 7 + ${i * 3}) % ${rowsPerTable}) + 1`)
      const values = [
        'n',
        ...keys,
        `'${name} ' || n`,
        `case when n % 5 = 0 then null else '${name}.' || n || '@example.test' end`,
        `case n % 3 when 0 then 'active' when 1 then 'pending' else 'archived' end`,
        '(n * 1299) % 100000',
        `case when n % 4 = 0 then 'note about ${name} ' || n || ': checked and approved' end`,
        `printf('2024-03-%02dT10:00:00Z', (n % 28) + 1)`,
        'null',
      ]
      return (
        `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ${rowsPerTable})\n` +
        `insert into ${name} select ${values.join(', ')} from seq;`
      )
    })
    .join('\n\n') + '\n'
}

/** The files one template is built from. */
export interface SchemaFiles {
  readonly schema: string
  readonly seed: string
}

/** Writes the schema and a seed into `dir`, returning their paths. */
export function writeSchemaFiles(dir: string, seed: string): SchemaFiles {
  fs.mkdirSync(dir, { recursive: true })
  const files = { schema: path.join(dir, 'schema.sql'), seed: path.join(dir, 'seed.sql') }
  fs.writeFileSync(files.schema, schemaSql())
  fs.writeFileSync(files.seed, seed)
  return files
}

/** A statement that writes one row into the last table (whose parents exist in every seed). */
export function insertOneSql(): string {
  const index = tableCount - 1
  const keys = parents(index).map(() => '1')
  return (
    `insert into ${tableNames[index]} (${[...parents(index).map((p) => `${tableNames[p]}_id`), 'name', 'created_at'].join(', ')}) ` +
    `values (${[...keys, "'written by a test'", "'2024-04-01T00:00:00Z'"].join(', ')})`
  )
}

/** A first query every test makes: it makes SQLite read the schema, as a test's first statement does. */
export const firstQuerySql = `select count(*) from ${tableNames[0]}`
