import fs from 'node:fs'
import path from 'node:path'
import { DataTypes, Op, QueryTypes, Sequelize, Transaction } from 'sequelize'
import { describe, expect, test, vi } from 'vitest'
import { migrator, sequelizeLayer, sequelizeMigrations, sequelizeSeeders, testSequelize } from '../../src/sequelize/index.js'
import { describeModels } from '../../src/sequelize/models.js'
import { inTest, scratchProject } from '../support/runtime.js'

const project = scratchProject('sqlite-fixtures-sequelize-', {
  'migrations/20240101000000-create-customers.cjs':
    "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.createTable('Customers', { id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true }, name: { type: Sequelize.STRING, allowNull: false } })\n  },\n  async down(queryInterface) {\n    await queryInterface.dropTable('Customers')\n  },\n}\n",
  'migrations/20240102000000-create-orders.cjs':
    "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.createTable('Orders', { id: { type: Sequelize.INTEGER, primaryKey: true, autoIncrement: true }, customerId: { type: Sequelize.INTEGER, allowNull: false, references: { model: 'Customers', key: 'id' } } })\n  },\n  async down(queryInterface) {\n    await queryInterface.dropTable('Orders')\n  },\n}\n",
  'seeders/20240103000000-customers.cjs': "module.exports = { up: (queryInterface) => queryInterface.bulkInsert('Customers', [{ name: 'Seeded' }]) }\n",
})
const { root } = project

function appSequelize(storage: string) {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage, logging: false })
  const Customer = sequelize.define('Customer', { name: { type: DataTypes.STRING, allowNull: false } }, { timestamps: false })
  const Order = sequelize.define('Order', { customerId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'Customers', key: 'id' } } }, { timestamps: false })
  return { sequelize, Customer, Order }
}

test('migrations and seeders in sequelize-cli format build the template, with SequelizeMeta rows', async () => {
  const app = appSequelize(':memory:')
  const runtime = await project.runtime({ migrations: [sequelizeMigrations({ folder: 'migrations' }), sequelizeSeeders({ folder: 'seeders' })], layers: [sequelizeLayer({ sequelize: app.sequelize })] })
  const rows = await inTest(runtime, 'reads', async () => ({
    meta: await app.sequelize.query('select name from SequelizeMeta order by name', { type: 'SELECT' }),
    customers: (await app.Customer.findAll()).map((c) => c.get('name')),
  }))
  expect(rows).toEqual({ meta: [{ name: '20240101000000-create-customers.cjs' }, { name: '20240102000000-create-orders.cjs' }], customers: ['Seeded'] })
})

for (const storage of [':memory:', 'app.sqlite']) {
  describe(`storage ${storage}`, () => {
    test('sync() builds the template; concurrent tests each reach their own database, transactions included', async () => {
      const app = appSequelize(path.join(root, storage) === path.join(root, ':memory:') ? ':memory:' : path.join(root, storage))
      const runtime = await project.runtime({ layers: [sequelizeLayer({ sequelize: app.sequelize, sync: true })] })
      const names = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald']
      const seen = await Promise.all(
        names.map((name) =>
          inTest(runtime, name, async () => {
            await app.sequelize.transaction(async (transaction) => {
              const customer = await app.Customer.create({ name }, { transaction })
              await new Promise((resolve) => setTimeout(resolve, 5))
              await app.Order.create({ customerId: customer.get('id') }, { transaction })
            })
            const unmanaged: Transaction = await app.sequelize.transaction()
            await app.Customer.create({ name: `${name} rolled back` }, { transaction: unmanaged })
            await unmanaged.rollback()
            await expect(app.Order.create({ customerId: 99 })).rejects.toThrow(/FOREIGN KEY constraint failed/)
            return (await app.Customer.findAll()).map((c) => c.get('name'))
          }),
        ),
      )
      expect(seen).toEqual(names.map((name) => [name]))
      expect(fs.existsSync(path.join(root, 'app.sqlite'))).toBe(false)
    })
  })
}

test('migrator() steps through the migrations on a scratch database', async () => {
  const m = migrator({ folder: path.join(root, 'migrations') })
  expect(await m.pending()).toEqual(['20240101000000-create-customers.cjs', '20240102000000-create-orders.cjs'])
  await m.upTo('20240101000000-create-customers')
  expect(await m.applied()).toEqual(['20240101000000-create-customers.cjs'])
  await m.upToLatest()
  await m.down()
  expect(await m.pending()).toEqual(['20240102000000-create-orders.cjs'])
  await m.close()
})

test('a failing migration fails the build, naming its file, and leaves no build file in the cache; sets a setup file gives are named by their calls', async () => {
  const broken = scratchProject('sqlite-fixtures-sequelize-broken-', {
    'migrations/20240101000000-broken.cjs': "module.exports = {\n  up: (queryInterface) => queryInterface.bulkInsert('NoSuchTable', [{ id: 1 }]),\n}\n",
    'seeders/20240102000000-none.cjs': 'module.exports = { up: async () => {} }\n',
  })
  const notices = path.join(broken.root, 'notices.jsonl')
  vi.stubEnv('SQLITE_FIXTURES_NOTICES', notices)
  const failure = broken.runtime({ migrations: [sequelizeMigrations({ folder: 'migrations' }), sequelizeSeeders({ folder: 'seeders' })] })
  await expect(failure).rejects.toMatchObject({ name: 'SchemaError' })
  vi.unstubAllEnvs()
  // Given in a worker (no main process here), each set is named as the call that makes it.
  const said = fs.readFileSync(notices, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { text: string }).text)
  expect(said).toEqual([
    expect.stringContaining("sqliteFixtures({ migrations: [sequelizeMigrations({ folder: 'migrations' })] })"),
    expect.stringContaining("sqliteFixtures({ migrations: [sequelizeSeeders({ folder: 'seeders' })] })"),
  ])
  await expect(failure).rejects.toThrow(/^sqlite-fixtures: Sequelize migration 20240101000000-broken\.cjs failed while building the template, at migrations\/20240101000000-broken\.cjs: SQLITE_ERROR: no such table: NoSuchTable/)
  expect(fs.readdirSync(path.join(broken.root, 'cache')).filter((name) => name.includes('.tmp'))).toEqual([])
})

test('a query through testSequelize() outside a test, and one under isolation savepoint, are refused naming testSequelize()', async () => {
  const runtime = await project.runtime({ migrations: [sequelizeMigrations({ folder: 'migrations' })], isolation: 'savepoint' })
  const app = appSequelize(path.join(root, 'never.sqlite'))
  testSequelize(app.sequelize)
  await expect(app.Customer.count()).rejects.toThrow(/^sqlite-fixtures: a query through testSequelize\(\) was made outside a test\./)
  await expect(inTest(runtime, 'savepoint', () => app.Customer.count())).rejects.toThrow(/isolation: 'savepoint', which runs each test inside one \(use the default isolation, 'clone', with testSequelize\(\)\)\.$/)
  await app.sequelize.close()
})

describe('the sync() template is built again when what sync() creates changes', () => {
  /** A model whose unique email index holds only where `deletedAt` is null, or only where it is not. */
  function accounts(where: 'is null' | 'not null', hits: bigint, startsAt = 0) {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false })
    const Account = sequelize.define(
      'Account',
      { email: { type: DataTypes.STRING, allowNull: false }, deletedAt: DataTypes.DATE, hits: { type: DataTypes.BIGINT, defaultValue: hits }, startsAt: { type: DataTypes.DATE, defaultValue: new Date(startsAt) } },
      { timestamps: false, indexes: [{ unique: true, fields: ['email'], where: { deletedAt: where === 'is null' ? { [Op.is]: null } : { [Op.not]: null } } }] },
    )
    return { sequelize, Account }
  }

  test("an index's where clause written with Op (symbol keys), a BigInt default and a Date default's milliseconds are part of the template's key", async () => {
    const cached = scratchProject('sqlite-fixtures-sequelize-key-', {})
    const twoLive = async (app: ReturnType<typeof accounts>) => {
      const runtime = await cached.runtime({ layers: [sequelizeLayer({ sequelize: app.sequelize, sync: true })] })
      return inTest(runtime, 'two live accounts, one email', async () => {
        await app.Account.create({ email: 'ada@example.com' })
        await app.Account.create({ email: 'ada@example.com' })
        const account = await app.Account.findOne()
        const [table] = (await app.sequelize.query("select sql from sqlite_master where name = 'Accounts'", { type: QueryTypes.SELECT })) as { sql: string }[]
        return { hits: account?.get('hits'), table: table?.sql }
      }).catch((error: unknown) => (error instanceof Error ? error.name : String(error)))
    }
    // Unique among live accounts: the second is refused.
    expect(await twoLive(accounts('is null', 0n))).toBe('SequelizeUniqueConstraintError')
    // The same models but the index holds among deleted ones: with the same cache, a template built from these.
    expect(await twoLive(accounts('not null', 0n))).toMatchObject({ hits: 0 })
    // And again for a changed BigInt default (which a JSON description could not hold at all),
    // and for a Date default a quarter of a second later (a Date's text drops its milliseconds).
    expect(await twoLive(accounts('not null', 7n))).toMatchObject({ hits: 7 })
    expect(await twoLive(accounts('not null', 7n, 250))).toMatchObject({ table: expect.stringContaining("DEFAULT '1970-01-01 00:00:00.250 +00:00'") })
  })
})

test("while sync() builds the template, only sync() and its hooks reach it: app code beside it is refused as outside a test", async () => {
  // A project of its own: these models' template is built here, not found in the cache.
  const own = scratchProject('sqlite-fixtures-sequelize-beside-', {})
  const app = appSequelize(path.join(own.root, 'app.sqlite'))
  // App code beside the build (a timer started at import, say): it writes once sync() has
  // made the Customers table, while the build still runs (the hook waits for it).
  let tableMade = () => {}
  const beside = new Promise<void>((resolve) => (tableMade = resolve)).then(() => app.Customer.create({ name: 'beside the build' }))
  app.Customer.addHook('afterSync', async () => {
    tableMade()
    await beside.catch(() => undefined)
  })
  app.sequelize.addHook('afterBulkSync', async () => {
    await app.sequelize.query("insert into Customers (name) values ('made by a hook')")
  })
  const runtime = await own.runtime({ layers: [sequelizeLayer({ sequelize: app.sequelize, sync: true })] })
  await expect(beside).rejects.toThrow(/^sqlite-fixtures: a query through sequelizeLayer\(\) was made outside a test\./)
  const names = await inTest(runtime, 'reads', async () => (await app.Customer.findAll()).map((c) => c.get('name')))
  expect(names).toEqual(['made by a hook'])
})

test("the models' description tells Infinity, NaN and null apart, as sync()'s DEFAULT does", () => {
  const describedWith = (quota: number | null) => {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false })
    sequelize.define('Plan', { quota: { type: DataTypes.FLOAT, defaultValue: quota } }, { timestamps: false })
    return describeModels(sequelize)
  }
  const descriptions = [null, Infinity, -Infinity, Number.NaN].map(describedWith)
  expect(new Set(descriptions).size).toBe(4)
})
