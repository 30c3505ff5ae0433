import fs from 'node:fs'
import path from 'node:path'
import knex from 'knex'
import { describe, expect, test, vi } from 'vitest'
import { currentDb } from '../../src/core/access/current.js'
import { knexMigrations, knexSeeds, migrator, testKnex } from '../../src/knex/index.js'
import { inTest, scratchProject } from '../support/runtime.js'

const project = scratchProject('sqlite-fixtures-knex-', {
  'migrations/001_customers.js':
    "export const up = (knex) => knex.schema.createTable('customers', (t) => { t.increments('id'); t.string('name').notNullable() })\n" +
    "export const down = (knex) => knex.schema.dropTable('customers')\n",
  'migrations/002_orders.js':
    "export async function up(knex) {\n  await knex.schema.createTable('orders', (t) => { t.increments('id'); t.integer('customer_id').notNullable().references('customers.id'); t.integer('total').notNullable() })\n}\n" +
    "export const down = (knex) => knex.schema.dropTable('orders')\n",
  'seeds/01_customers.js': "export const seed = (knex) => knex('customers').insert([{ name: 'Seeded' }])\n",
})
const { root } = project

for (const client of ['better-sqlite3', 'sqlite3'] as const) {
  describe(`client ${client}`, () => {
    test("Knex's migrations and seeds build the template, with its knex_migrations rows", async () => {
      const runtime = await project.runtime({ migrations: [knexMigrations({ directory: 'migrations', client }), knexSeeds({ directory: 'seeds', client })] })
      const app = testKnex(knex({ client, connection: { filename: path.join(root, 'never.db') }, useNullAsDefault: true }))
      const rows = await inTest(runtime, 'reads', async () => ({
        migrations: (await app('knex_migrations').select('name', 'batch')) as unknown[],
        customers: await app('customers').pluck('name'),
      }))
      expect(rows).toEqual({ migrations: [{ name: '001_customers.js', batch: 1 }, { name: '002_orders.js', batch: 1 }], customers: ['Seeded'] })
      expect(fs.existsSync(path.join(root, 'never.db'))).toBe(false)
    })

    test('concurrent tests through one Knex each reach their own database, transactions included', async () => {
      const runtime = await project.runtime({ migrations: [knexMigrations({ directory: 'migrations', client })] })
      const app = testKnex(knex({ client, connection: { filename: path.join(root, 'never.db') }, useNullAsDefault: true }))
      const names = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald']
      const seen = await Promise.all(
        names.map((name) =>
          inTest(runtime, name, async () => {
            await app.transaction(async (trx) => {
              const [row] = await trx('customers').insert({ name }, ['id'])
              await new Promise((resolve) => setTimeout(resolve, 5))
              await trx('orders').insert({ customer_id: (row as { id: number }).id, total: 100 })
            })
            await app.transaction(async (trx) => {
              await trx('customers').insert({ name: `${name} rolled back` })
              throw new Error('roll back')
            }).catch(() => undefined)
            await expect(app('orders').insert({ customer_id: 99, total: 1 })).rejects.toThrow(/FOREIGN KEY constraint failed/)
            return app('customers').pluck('name')
          }),
        ),
      )
      expect(seen).toEqual(names.map((name) => [name]))
    })
  })
}

test('migrator() steps through the migrations on a scratch database', async () => {
  const m = await migrator({ directory: path.join(root, 'migrations') })
  expect(await m.pending()).toEqual(['001_customers.js', '002_orders.js'])
  await m.upTo('001_customers')
  expect(await m.applied()).toEqual(['001_customers.js'])
  m.db.prepare("insert into customers (name) values ('Ada')").run()
  await m.upToLatest()
  expect(m.db.prepare('select count(*) from customers').pluck().get()).toBe(1)
  await m.down()
  expect(await m.pending()).toEqual(['002_orders.js'])
  await m.close()
})

test('a failing migration fails the build, naming its file, and leaves no build file in the cache; sets a setup file gives are named by their calls', async () => {
  const broken = scratchProject('sqlite-fixtures-knex-broken-', {
    'migrations/001_customers.js': "export const up = (knex) => knex.schema.createTable('customers', (t) => { t.increments('id') })\nexport const down = () => {}\n",
    'migrations/002_orders.js': "export async function up(knex) {\n  await knex('no_such_table').insert({ id: 1 })\n}\nexport const down = () => {}\n",
    'seeds/01_none.js': 'export const seed = () => {}\n',
  })
  const notices = path.join(broken.root, 'notices.jsonl')
  vi.stubEnv('SQLITE_FIXTURES_NOTICES', notices)
  const failure = broken.runtime({ migrations: [knexMigrations({ directory: 'migrations', client: 'sqlite3' }), knexSeeds({ directory: 'seeds' })] })
  await expect(failure).rejects.toMatchObject({ name: 'SchemaError' })
  vi.unstubAllEnvs()
  // Given in a worker (no main process here), each set is named as the call that makes it.
  const said = fs.readFileSync(notices, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text)
  expect(said).toEqual([
    expect.stringContaining("sqliteFixtures({ migrations: [knexMigrations({ directory: 'migrations' })] })"),
    expect.stringContaining("sqliteFixtures({ migrations: [knexSeeds({ directory: 'seeds' })] })"),
  ])
  await expect(failure).rejects.toThrow(/^sqlite-fixtures: Knex migration 002_orders\.js failed while building the template, at migrations\/002_orders\.js:2: .*no such table: no_such_table/)
  expect(fs.readdirSync(path.join(broken.root, 'cache')).filter((name) => name.includes('.tmp'))).toEqual([])
  // migrator() names the failing query's line too.
  const m = await migrator({ directory: path.join(broken.root, 'migrations') })
  await expect(m.upToLatest()).rejects.toThrow(/^sqlite-fixtures: Knex migration 002_orders\.js \(line 2\) failed: .*no such table: no_such_table/)
  await m.close()
})

test('a query through testKnex() outside a test, and node-sqlite3 under isolation savepoint, are refused naming testKnex()', async () => {
  const runtime = await project.runtime({ migrations: [knexMigrations({ directory: 'migrations' })], isolation: 'savepoint' })
  const app = testKnex(knex({ client: 'sqlite3', connection: { filename: path.join(root, 'never.db') }, useNullAsDefault: true }))
  await expect(app('customers').count()).rejects.toThrow(/^sqlite-fixtures: a query through testKnex\(\) was made outside a test\./)
  await expect(inTest(runtime, 'savepoint', async () => await app('customers').count())).rejects.toThrow(/isolation: 'savepoint', which runs each test inside one \(use the default isolation, 'clone', with testKnex\(\)\)\.$/)
  await app.destroy()
})

test("a transaction the test began on ctx.db is named as the test's own, not as isolation: 'savepoint', on both clients", async () => {
  const runtime = await project.runtime({ migrations: [knexMigrations({ directory: 'migrations' })] })
  for (const client of ['better-sqlite3', 'sqlite3'] as const) {
    const app = testKnex(knex({ client, connection: { filename: path.join(root, 'never.db') }, useNullAsDefault: true }))
    const refusal = await inTest(runtime, `begin on ctx.db, ${client}`, async () => {
      currentDb().exec('begin immediate')
      try {
        return await app('customers').count().then(() => 'no refusal', (error: unknown) => (error instanceof Error ? error.message : String(error)))
      } finally {
        currentDb().exec('rollback')
      }
    })
    expect(refusal).toMatch(/a transaction the test began on ctx\.db and has not ended \(end it /)
    await app.destroy()
  }
})
