// `npm run bench:sqlite3`: what one test's node-sqlite3 database costs, on the benchmark's
// 40-table schema (foreign keys, indexes, 1,000 seed rows): the usual way (a `:memory:`
// database with the schema and seed, per test), the floor (a copy of the template file and a
// new node-sqlite3 connection on it, as a hand-written per-test setup does), and this plugin's
// testSqlite3Database(), interleaved round after round; then the cost per test file.
import fs from 'node:fs'
import sqlite3 from 'sqlite3'
import { runOnOtherNodeIfAsked } from './on-node.js'
import { testSqlite3Database } from '../src/sqlite3/index.js'
import { benchSetup, printInterleaved, runInterleaved, type InterleavedRow } from './interleaved.js'
import { ownAppSetup, untouchedControl } from './own-app.js'
import { perFileCosts } from './per-file.js'
import { firstQuerySql, insertOneSql, schemaSql } from './schema.js'
import { withScratch } from './scratch.js'

const call = (use: (done: (error: Error | null) => void) => void) => new Promise<void>((resolve, reject) => use((error) => (error ? reject(error) : resolve())))
const opened = (file: string) => new Promise<sqlite3.Database>((resolve, reject) => {
  const db: sqlite3.Database = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)))
})
const rounds = Number(process.env.BENCH_ROUNDS ?? 400)
runOnOtherNodeIfAsked(import.meta.url)

await withScratch('sqlite-fixtures-bench-sqlite3-', async (scratch) => {
  const { files, template, inTest, copyTemplate, close } = await benchSetup(scratch)
  const handle = testSqlite3Database()
  const schemaAndSeed = `PRAGMA foreign_keys = ON;\n${schemaSql()}\n${fs.readFileSync(files.seed, 'utf8')}`
  /** The floor: a copy of the template file, a node-sqlite3 connection on it (foreign keys on, as the plugin's), the work, close, delete. */
  const onFreshCopy = async (sql: string) => {
    const copy = copyTemplate()
    const db = await opened(copy.file)
    await call((done) => db.exec('PRAGMA foreign_keys = ON', done))
    await call((done) => db.run(sql, done))
    await call((done) => db.close(done))
    copy.remove()
  }
  const usual = 'usual: new Database(:memory:) + exec(schema, seed) + first query'
  const floor = 'floor: copy the template file + new Database(file) + first query'
  const writingFloor = 'floor, writing a row'
  const rows: InterleavedRow[] = [
    {
      name: usual,
      ref: floor,
      every: 10,
      fn: async () => {
        const db = await opened(':memory:')
        await call((done) => db.exec(schemaAndSeed, done))
        await call((done) => db.get(firstQuerySql, done))
        await call((done) => db.close(done))
      },
    },
    { name: floor, ref: floor, fn: () => onFreshCopy(firstQuerySql) },
    { name: '* plugin: testSqlite3Database() + first query', ref: floor, fn: () => inTest(() => call((done) => handle.get(firstQuerySql, done))) },
    { name: writingFloor, ref: writingFloor, fn: () => onFreshCopy(insertOneSql()) },
    { name: '* plugin, writing a row (and the foreign-key check at teardown)', ref: writingFloor, fn: () => inTest(() => call((done) => handle.run(insertOneSql(), done))) },
  ]
  try {
    const measured = await runInterleaved(rows, rounds)
    printInterleaved(
      `node-sqlite3 ${sqlite3.VERSION} (sqlite3 ${(JSON.parse(fs.readFileSync(new URL('../node_modules/sqlite3/package.json', import.meta.url), 'utf8')) as { version: string }).version}), ` +
        `40 tables, 1,000 rows (${(template.image.length / 1024).toFixed(0)} KiB); per test, medians of ${rounds} interleaved rounds (node ${process.version})`,
      rows,
      measured,
    )
  } finally {
    close()
  }
  const readsThroughApp =
    "import { expect, test } from 'vitest'\nimport { db } from '../db.js'\n" +
    `test('reads', () => new Promise<void>((resolve, reject) => db.get(${JSON.stringify(firstQuerySql)}, (error, row) => (error ? reject(error) : (expect(row).toBeDefined(), resolve())))))\n`
  const lazyMock = "import { vi } from 'vitest'\nvi.mock('./db.js', async () => ({ db: (await import('sqlite-fixtures/sqlite3')).testSqlite3Database() }))\n"
  await perFileCosts(scratch, files, {
    never: [
      { name: 'testSqlite3Database() in a lazy module mock, the app not imported', setup: lazyMock },
      {
        name: 'testSqlite3Database() made in the setup file',
        setup: "import { testSqlite3Database } from 'sqlite-fixtures/sqlite3'\nexport const db = testSqlite3Database()\n",
      },
    ],
    uses: [
      untouchedControl,
      {
        name: '  control: the app without the seam, its own connection on a copy of the plain-schema file, each test reads through it',
        setup: ownAppSetup(scratch, template.image, "const { default: sqlite3 } = await import('sqlite3')\n  return { db: new sqlite3.Database(file) }"),
        test: readsThroughApp,
      },
      {
        name: 'testSqlite3Database() in a lazy module mock, each test reads through it',
        setup: lazyMock,
        test: readsThroughApp,
      },
    ],
  })
})
