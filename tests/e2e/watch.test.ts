import fs from 'node:fs'
import path from 'node:path'
import { expect, test, vi } from 'vitest'
import { makeScratch, saveAndRerun, watchFixture } from '../support/run-vitest.js'

// Watch mode on schemas and migrations given as files (more: watch-code.test.ts, a file of its
// own so that its sessions run on another worker beside these).

/** Writes a Drizzle (drizzle-kit 0.x) migrations folder: the journal, then each migration's SQL. */
function writeDrizzleMigrations(folder: string, migrations: readonly (readonly [tag: string, sql: string])[]): void {
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true })
  for (const [tag, sql] of migrations) fs.writeFileSync(path.join(folder, `${tag}.sql`), sql)
  const entries = migrations.map(([tag], idx) => ({ idx, version: '6', when: 1_700_000_000_000 + idx, tag, breakpoints: true }))
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries }))
}

/**
 * A schema folder in the scratch dir, outside the project (the committed sample never
 * changes), holding the customers table's first version.
 */
function customersSchema(scratch: string): { schema: string; customers: string } {
  const schema = path.join(scratch, 'schema')
  fs.mkdirSync(schema)
  const customers = path.join(schema, '001_customers.sql')
  fs.writeFileSync(customers, 'create table customers (id integer primary key, name text);\n')
  return { schema, customers }
}

/** Saves the customers table's second version: an email column added. */
function addEmail(customers: string): void {
  fs.writeFileSync(customers, 'create table customers (id integer primary key, name text, email text);\n')
}

/** The lines the file that uses the database logged: the customers table's columns (and rows). */
const columns = (events: readonly string[]) => events.filter((line) => line.startsWith('columns '))

test('in watch mode, a schema change reruns the test files that use the database, with the new template; a broken one reruns them too, failing', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  // Each step touches a file the step before did not (the file watcher throttles repeated
  // change events of one file).
  const { schema, customers } = customersSchema(scratch)
  const session = await watchFixture('watch', { scratch, env: { WATCH_SCHEMA: schema } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name', 'pure ran'])

    await saveAndRerun(session, () => addEmail(customers))
    // Only the file that used a database ran again, and it saw the new column.
    expect(session.reruns).toEqual([['tests/columns.test.ts']])
    expect(columns(session.events())).toEqual(['columns id,name', 'columns id,name,email'])

    // A new .sql file in the schema folder that does not build is reported once, and the
    // file that uses the database reruns and fails with it; the watcher keeps running, and
    // fixing it reruns that file again.
    const phone = path.join(schema, '002_phone.sql')
    await saveAndRerun(session, () => fs.writeFileSync(phone, 'alter tabel customers add column phone text;\n'))
    await vi.waitFor(() => expect(session.stderr()).toContain('the template could not be rebuilt'), { timeout: 30_000, interval: 50 })
    await saveAndRerun(session, () => fs.writeFileSync(phone, 'alter table customers add column phone text;\n'))
    expect(session.stderr().match(/the template could not be rebuilt/g)).toHaveLength(1)
    expect(session.stderr()).toContain('002_phone.sql:1 failed: near "tabel": syntax error')
    expect(session.reruns).toEqual([['tests/columns.test.ts'], ['tests/columns.test.ts'], ['tests/columns.test.ts']])
    expect(columns(session.events())).toEqual(['columns id,name', 'columns id,name,email', 'columns id,name,email,phone'])
  } finally {
    await session.close()
  }
})

test('in watch mode, a Drizzle migration added, then one broken and fixed, in a folder outside the root, reruns the files that use the database each time', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const migrations = path.join(scratch, 'drizzle')
  const initial = ['0000_customers', 'CREATE TABLE `customers` (`id` integer PRIMARY KEY NOT NULL, `name` text);'] as const
  writeDrizzleMigrations(migrations, [initial])
  const session = await watchFixture('watch', { scratch, env: { WATCH_MIGRATIONS: migrations } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name', 'pure ran'])

    const email = ['0001_email', 'ALTER TABLE `customers` ADD `email` text;'] as const
    await saveAndRerun(session, () => writeDrizzleMigrations(migrations, [initial, email]))
    expect(session.reruns).toEqual([['tests/columns.test.ts']])
    expect(columns(session.events())).toEqual(['columns id,name', 'columns id,name,email'])

    // A broken migration: the file that uses the database reruns and fails, naming it.
    await saveAndRerun(session, () => writeDrizzleMigrations(migrations, [initial, email, ['0002_phone', 'ALTER TABEL `customers` ADD `phone` text;']]))
    await vi.waitFor(() => expect(session.stderr()).toContain('Drizzle migration 0002_phone failed while building the template'), { timeout: 30_000, interval: 50 })
    // Fixed: the second save reruns it too, with the new template (not a stale "cache hit").
    await saveAndRerun(session, () => fs.writeFileSync(path.join(migrations, '0002_phone.sql'), 'ALTER TABLE `customers` ADD `phone` text;'))
    expect(session.reruns).toEqual([['tests/columns.test.ts'], ['tests/columns.test.ts'], ['tests/columns.test.ts']])
    expect(columns(session.events())).toEqual(['columns id,name', 'columns id,name,email', 'columns id,name,email,phone'])
  } finally {
    await session.close()
  }
})

test('in watch mode, a schema given in a setup file, outside the root, reruns the files that use the database when it changes', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const { schema, customers } = customersSchema(scratch)
  const session = await watchFixture('watch', { scratch, env: { WATCH_SCHEMA: schema, WATCH_SCHEMA_IN: 'setup-file' } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name', 'pure ran'])
    // The main process learns of the folder from the workers' reports, at the end of the run,
    // and asks the file watcher to watch it: give the watcher a moment to start.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    await saveAndRerun(session, () => addEmail(customers))
    expect(session.reruns).toEqual([['tests/columns.test.ts']])
    expect(columns(session.events())).toEqual(['columns id,name', 'columns id,name,email'])
  } finally {
    await session.close()
  }
})

test('in watch mode, a file that reaches the database only through testLibsqlClient() reruns on a schema change, and its client sees the new template', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const { schema, customers } = customersSchema(scratch)
  const session = await watchFixture('watch', { scratch, env: { WATCH_SCHEMA: schema, WATCH_LIBSQL: '1' } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name', 'libsql columns id,name', 'pure ran'])
    await saveAndRerun(session, () => addEmail(customers))
    expect(session.reruns).toEqual([['tests-libsql/libsql.test.ts', 'tests/columns.test.ts']])
    expect(session.events().filter((line) => line.startsWith('libsql '))).toEqual(['libsql columns id,name', 'libsql columns id,name,email'])
  } finally {
    await session.close()
  }
})

test("in watch mode, a change to a seed module reruns the files that use the database, with the new data", { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const schema = path.join(scratch, 'schema.sql')
  fs.writeFileSync(schema, 'create table customers (id integer primary key, name text);\n')
  const seed = path.join(scratch, 'seed.ts')
  const seedOf = (name: string) =>
    `import type { Database } from 'better-sqlite3'\n\nexport default (db: Database) => void db.prepare('insert into customers (name) values (?)').run('${name}')\n`
  fs.writeFileSync(seed, seedOf('Ada'))
  const session = await watchFixture('watch', { scratch, env: { WATCH_SCHEMA: schema, WATCH_SEED: seed } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name rows Ada', 'pure ran'])
    await saveAndRerun(session, () => fs.writeFileSync(seed, seedOf('Grace')))
    expect(session.reruns).toEqual([['tests/columns.test.ts']])
    expect(columns(session.events())).toEqual(['columns id,name rows Ada', 'columns id,name rows Grace'])
  } finally {
    await session.close()
  }
})
