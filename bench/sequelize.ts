// `npm run bench:sequelize`: what one test's Sequelize costs, on the benchmark's 40-table schema
// (foreign keys, indexes, 1,000 seed rows) as 40 models: the usual way (`sync({ force: true })`
// and the seed per test, on the app's one `:memory:` Sequelize), the floor (a copy of the
// template file and a node-sqlite3 connection on it under the app's Sequelize), and this
// plugin (the app's Sequelize taken over), interleaved round after round; then the cost per
// test file.
import fs from 'node:fs'
import path from 'node:path'
import { DataTypes, type ModelStatic, type Model, Sequelize } from 'sequelize'
import sqlite3 from 'sqlite3'
import { runOnOtherNodeIfAsked } from './on-node.js'
import { testSequelize } from '../src/sequelize/index.js'
import { benchSetup, printInterleaved, runInterleaved, type InterleavedRow } from './interleaved.js'
import { ownAppSetup, untouchedControl } from './own-app.js'
import { perFileCosts } from './per-file.js'
import { parents, tableNames } from './schema.js'
import { withScratch } from './scratch.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 300)
runOnOtherNodeIfAsked(import.meta.url)

/** The benchmark's 40 tables as Sequelize models on `sequelize`, as an app defines them. */
function defineModels(sequelize: Sequelize): ModelStatic<Model>[] {
  return tableNames.map((name, index) => {
    const keys = Object.fromEntries(
      parents(index).map((parent) => [`${tableNames[parent]}_id`, { type: DataTypes.INTEGER, allowNull: false, references: { model: tableNames[parent] as string, key: 'id' } }]),
    )
    return sequelize.define(
      name,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        ...keys,
        name: { type: DataTypes.TEXT, allowNull: false },
        email: DataTypes.TEXT,
        status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'active' },
        amount_cents: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        notes: DataTypes.TEXT,
        created_at: { type: DataTypes.TEXT, allowNull: false },
        updated_at: DataTypes.TEXT,
      },
      {
        tableName: name,
        timestamps: false,
        indexes: [{ fields: [Object.keys(keys)[0] ?? 'name'] }, { fields: ['status', 'created_at'] }],
      },
    )
  })
}

const opened = (file: string) => new Promise<sqlite3.Database>((resolve, reject) => {
  const db: sqlite3.Database = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)))
})

await withScratch('sqlite-fixtures-bench-sequelize-', async (scratch) => {
  const { files, template, inTest, copyTemplate, close } = await benchSetup(scratch)
  const seed = fs.readFileSync(files.seed, 'utf8').split(';').map((sql) => sql.trim()).filter(Boolean)
  // The usual way's app: one Sequelize on :memory:, made once, its tables dropped and made again per test.
  const usualApp = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false })
  const usualModels = defineModels(usualApp)
  // The floor's app: its Sequelize, under which a hand-written setup puts each test's connection.
  const floorApp = new Sequelize({ dialect: 'sqlite', storage: path.join(scratch, 'never.sqlite'), logging: false })
  const floorModels = defineModels(floorApp)
  const manager = floorApp.connectionManager as unknown as { getConnection(): Promise<sqlite3.Database>; releaseConnection(): void }
  let current: sqlite3.Database | undefined
  manager.getConnection = async () => current as sqlite3.Database
  manager.releaseConnection = () => {}
  // The plugin's app: taken over by the seam.
  const app = testSequelize(new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false }))
  const appModels = defineModels(app)
  // The row insertOneSql() writes, as Model.create() takes it: into the last table, its parents' first rows.
  const last = (models: ModelStatic<Model>[]) => models.at(-1) as ModelStatic<Model>
  const lastWritten = Object.fromEntries([
    ...parents(tableNames.length - 1).map((parent) => [`${tableNames[parent]}_id`, 1]),
    ['name', 'written by a test'],
    ['created_at', '2024-04-01T00:00:00Z'],
  ])
  /** The floor: a copy of the template file, a node-sqlite3 connection on it under the app's Sequelize (foreign keys on, as Sequelize sets them), the work, close, delete. */
  const onFreshCopy = async (work: () => Promise<unknown>) => {
    const copy = copyTemplate()
    current = await opened(copy.file)
    await new Promise((resolve) => current?.run('PRAGMA FOREIGN_KEYS=ON', resolve))
    await work()
    await new Promise((resolve) => current?.close(resolve))
    copy.remove()
  }
  const floor = 'floor: copy the template file + a node-sqlite3 connection under the app Sequelize + first query'
  const writingFloor = 'floor, writing a row (Model.create)'
  const rows: InterleavedRow[] = [
    {
      name: 'usual: sync({ force: true }) + the seed + first query, on the app Sequelize (:memory:)',
      ref: floor,
      every: 15,
      fn: async () => {
        await usualApp.sync({ force: true })
        for (const sql of seed) await usualApp.query(sql)
        await (usualModels[0] as ModelStatic<Model>).count()
      },
    },
    { name: floor, ref: floor, fn: () => onFreshCopy(() => (floorModels[0] as ModelStatic<Model>).count()) },
    { name: "* plugin: the app's Sequelize, taken over + first query", ref: floor, fn: () => inTest(() => (appModels[0] as ModelStatic<Model>).count()) },
    { name: writingFloor, ref: writingFloor, fn: () => onFreshCopy(() => last(floorModels).create(lastWritten)) },
    { name: '* plugin, writing a row (and the foreign-key check at teardown)', ref: writingFloor, fn: () => inTest(() => last(appModels).create(lastWritten)) },
  ]
  try {
    const measured = await runInterleaved(rows, rounds)
    const version = (JSON.parse(fs.readFileSync(new URL('../node_modules/sequelize/package.json', import.meta.url), 'utf8')) as { version: string }).version
    printInterleaved(`sequelize ${version}, 40 models, 1,000 rows (${(template.image.length / 1024).toFixed(0)} KiB); per test, medians of ${rounds} interleaved rounds (node ${process.version})`, rows, measured)
  } finally {
    await usualApp.close()
    close()
  }
  const app40 = [
    "import { DataTypes, Sequelize } from 'sequelize'",
    "export const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false })",
    `for (const name of ${JSON.stringify(tableNames)}) sequelize.define(name, { name: DataTypes.TEXT }, { tableName: name, timestamps: false })`,
    '',
  ].join('\n')
  const counts = `import { expect, test } from 'vitest'\nimport { sequelize } from '../db.js'\ntest('reads', async () => expect(await sequelize.model(${JSON.stringify(tableNames[0])}).count()).toBeGreaterThan(0))\n`
  const lazyMock =
    "import { sequelizeLayer } from 'sqlite-fixtures/sequelize'\nimport { configureSqliteFixtures } from 'sqlite-fixtures/vitest'\nimport { vi } from 'vitest'\n" +
    "vi.mock('./db.js', async () => { const { testSequelize } = await import('sqlite-fixtures/sequelize'); const app = await import('./app.js'); testSequelize(app.sequelize); return app })\n" +
    'configureSqliteFixtures({ layers: [sequelizeLayer()] })\n'
  await perFileCosts(scratch, files, {
    never: [
      { name: 'sequelizeLayer(), testSequelize() in a lazy module mock, the app not imported', setup: lazyMock, extra: { 'app.ts': app40 } },
      {
        name: "sequelizeLayer({ sequelize }): the app's Sequelize (40 models) imported by the setup file",
        setup:
          "import { sequelizeLayer } from 'sqlite-fixtures/sequelize'\nimport { configureSqliteFixtures } from 'sqlite-fixtures/vitest'\nimport { sequelize } from './app.js'\n" +
          'configureSqliteFixtures({ layers: [sequelizeLayer({ sequelize })] })\n',
        extra: { 'app.ts': app40 },
      },
    ],
    uses: [
      untouchedControl,
      {
        name: "  control: the app without the seam, its own Sequelize (40 models) on a copy of the plain-schema file, each test counts a model's rows",
        setup: ownAppSetup(scratch, template.image, "process.env.OWN_APP_DB = file\n  return await import('./own-app.js')"),
        extra: { 'own-app.ts': app40.replace("storage: ':memory:'", 'storage: process.env.OWN_APP_DB') },
        test: counts,
      },
      {
        name: "sequelizeLayer(), testSequelize() in a lazy module mock, each test counts a model's rows (its first query)",
        setup: lazyMock,
        extra: { 'app.ts': app40 },
        test: counts,
      },
    ],
  })
})
