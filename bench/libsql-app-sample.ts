// The libSQL app of `npm run bench:libsql-app`, written into a scratch dir: the shape of the
// real app issue 30 measured (a libSQL client, the app's own migrations as TypeScript
// functions calling db.batch, one with libSQL's ALTER COLUMN, most test files without a
// database, isolate: false), small enough to generate. BENCH_LIBSQL_VARIANT picks its setup:
// `memory` (each database test: a new `:memory:` client and every migration, the app's own
// way), `plugin` (driver 'libsql', the migrations as a code step, built once per run), or
// `schema` (the plugin on a schema.sql dumped from the migrations: the reference for plain schema).
import fs from 'node:fs'
import path from 'node:path'
import { timingReporterSource } from './timing-reporter.js'

/** Test files that use the database, and files that never do. */
export const databaseFiles = 60
export const pureFiles = 100
export const testsPerFile = 7
/** The app's migrations: one creates a table (and an index) each, one alters a column. */
export const migrationCount = 27
const alterAt = 14

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
  fs.writeFileSync(path.join(root, file), text)
}

const pad = (n: number) => String(n).padStart(4, '0')
const table = (n: number) => `items_${n}`

function migration(n: number): string {
  if (n === alterAt) {
    return `import type { Client } from '@libsql/client'

export async function up(db: Client): Promise<void> {
  await db.batch([\`ALTER TABLE ${table(1)} ALTER COLUMN "kind" TO "kind" text NOT NULL DEFAULT 'plain'\`])
}
`
  }
  const t = table(n)
  const parent = n > 1 ? `, parent_id INTEGER REFERENCES ${table(n - 1)} (id)` : ''
  const columns = "name TEXT NOT NULL, kind TEXT, status TEXT NOT NULL DEFAULT 'new', amount INTEGER NOT NULL DEFAULT 0, note TEXT, created_at INTEGER NOT NULL DEFAULT (unixepoch()), updated_at INTEGER"
  const statements = [
    `CREATE TABLE ${t} (id INTEGER PRIMARY KEY, ${columns}${parent})`,
    `CREATE INDEX ${t}_name ON ${t} (name)`,
    `CREATE INDEX ${t}_status ON ${t} (status, created_at)`,
    `CREATE UNIQUE INDEX ${t}_note ON ${t} (note) WHERE note IS NOT NULL`,
  ]
  // Every third migration also rebuilds an earlier table, as drizzle-kit's SQLite migrations do.
  if (n % 3 === 0 && n - 2 !== alterAt && n - 2 !== 1) {
    const old = table(n - 2)
    statements.push(
      `CREATE TABLE ${old}_new (id INTEGER PRIMARY KEY, ${columns}, parent_id INTEGER REFERENCES ${table(n - 3)} (id))`,
      `INSERT INTO ${old}_new SELECT * FROM ${old}`,
      `DROP TABLE ${old}`,
      `ALTER TABLE ${old}_new RENAME TO ${old}`,
      `CREATE INDEX ${old}_name ON ${old} (name)`,
    )
  }
  return `import type { Client } from '@libsql/client'

export async function up(db: Client): Promise<void> {
  await db.batch(${JSON.stringify(statements, null, 2).replaceAll('\n', '\n  ')})
}
`
}

function databaseTest(file: number): string {
  const t = table((file % (alterAt - 1)) + 1)
  const tests = Array.from(
    { length: testsPerFile },
    (_, i) => `test('item ${i}', async () => {
  await addItem('${t}', 'item ${i}')
  expect(await countItems('${t}')).toBe(1)
})
`,
  ).join('\n')
  return `import { beforeEach, expect, test } from 'vitest'
import { addItem, countItems } from '../src/items.js'
import { freshDatabase } from './database.js'

beforeEach(freshDatabase)

${tests}`
}

function pureTest(file: number): string {
  const tests = Array.from(
    { length: testsPerFile },
    (_, i) => `test('slug ${i}', () => {
  expect(slug('Item ${file} ${i}')).toBe('item-${file}-${i}')
})
`,
  ).join('\n')
  return `import { expect, test } from 'vitest'
import { slug } from '../src/slug.js'

${tests}`
}

/** Writes the app and its tests into `root` (which the installer then gives a node_modules). */
export function writeLibsqlApp(root: string, schemaSql: string): void {
  write(root, 'src/db.ts', `import { createClient } from '@libsql/client'

export const db = createClient({ url: process.env.APP_DB_URL ?? 'file:app.db' })
`)
  for (let n = 1; n <= migrationCount; n++) write(root, `src/migrations/${pad(n)}.ts`, migration(n))
  const names = Array.from({ length: migrationCount }, (_, i) => `m${i + 1}`)
  write(
    root,
    'src/migrate.ts',
    `import type { Client } from '@libsql/client'
${names.map((name, i) => `import * as ${name} from './migrations/${pad(i + 1)}.js'`).join('\n')}

export async function runMigrations(db: Client): Promise<void> {
  for (const migration of [${names.join(', ')}]) await migration.up(db)
}
`,
  )
  write(root, 'src/items.ts', `import { db } from './db.js'

export async function addItem(table: string, name: string): Promise<void> {
  await db.execute({ sql: \`INSERT INTO \${table} (name) VALUES (?)\`, args: [name] })
}

export async function countItems(table: string): Promise<number> {
  return Number((await db.execute(\`SELECT count(*) AS n FROM \${table}\`)).rows[0]?.n)
}
`)
  write(root, 'src/slug.ts', `export const slug = (text: string) => text.toLowerCase().replaceAll(' ', '-')\n`)
  write(root, 'db/schema.sql', schemaSql)
  write(root, 'test/template.ts', `import type { Client } from '@libsql/client'
import { runMigrations } from '../src/migrate.js'

export default (db: Client) => runMigrations(db)
`)
  // The app's own setup: one client, re-pointed at a new :memory: database with every migration per test.
  write(
    root,
    'test/database.ts',
    `import { createClient, type Client } from '@libsql/client'
import { runMigrations } from '../src/migrate.js'

export const holder: { client?: Client } = {}

export async function freshDatabase(): Promise<void> {
  if (process.env.BENCH_LIBSQL_VARIANT !== 'memory') return
  holder.client?.close()
  holder.client = createClient({ url: ':memory:' })
  await runMigrations(holder.client)
}
`,
  )
  write(
    root,
    'test/setup.ts',
    `import { vi } from 'vitest'

vi.mock('../src/db.js', async () => {
  if (process.env.BENCH_LIBSQL_VARIANT === 'memory') {
    const { holder } = await import('./database.js')
    const db = new Proxy({}, { get: (_, name) => Reflect.get(holder.client as object, name, holder.client).bind(holder.client) })
    return { db }
  }
  const { testLibsqlClient } = await import('sqlite-fixtures/libsql')
  return { db: testLibsqlClient() }
})
`,
  )
  write(
    root,
    'vitest.config.ts',
    `import { defineConfig } from 'vitest/config'
import { sqliteFixtures } from 'sqlite-fixtures/vitest'
import TimingReporter from './timing-reporter.js'

const variant = process.env.BENCH_LIBSQL_VARIANT
export default defineConfig({
  plugins:
    variant === 'plugin'
      ? [sqliteFixtures({ driver: 'libsql', steps: ['test/template.ts'] })]
      : variant === 'schema'
        ? [sqliteFixtures({ schema: 'db/schema.sql' })]
        : [],
  test: { setupFiles: ['./test/setup.ts'], include: ['test/*.test.ts'], isolate: false, reporters: ['default', new TimingReporter()] },
})
`,
  )
  write(
    root,
    'timing-reporter.ts',
    timingReporterSource('BENCH_LIBSQL_TIMINGS', [
      { key: 'database', prefix: 'db-', measure: 'spent' },
      { key: 'pure', prefix: 'pure-', measure: 'spent' },
    ]),
  )
  for (let i = 0; i < databaseFiles; i++) write(root, `test/db-${pad(i)}.test.ts`, databaseTest(i))
  for (let i = 0; i < pureFiles; i++) write(root, `test/pure-${pad(i)}.test.ts`, pureTest(i))
}
