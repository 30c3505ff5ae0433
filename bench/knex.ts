// `npm run bench:knex`: what one test's Knex costs, on the benchmark's 40-table schema (foreign
// keys, indexes, 1,000 seed rows) given as Knex migrations (one per table, then the seed), on
// both of Knex's SQLite clients: the usual way (a `:memory:` database and `migrate.latest()`
// per test), the floor (a copy of the template file and a Knex on it), and this plugin's
// testKnex() on the app's one Knex, interleaved round after round; then the cost per test file.
import fs from 'node:fs'
import path from 'node:path'
import knex, { type Knex } from 'knex'
import { runOnOtherNodeIfAsked } from './on-node.js'
import { testKnex } from '../src/knex/index.js'
import { benchSetup, printInterleaved, runInterleaved, type InterleavedRow } from './interleaved.js'
import { ownAppSetup, untouchedControl } from './own-app.js'
import { perFileCosts } from './per-file.js'
import { firstQuerySql, insertOneSql, tableSql, tableNames } from './schema.js'
import { withScratch } from './scratch.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 300)
const clients = ['better-sqlite3', 'sqlite3'] as const
runOnOtherNodeIfAsked(import.meta.url)

/** The schema as Knex migrations: one per table (its statements one by one), then the seed. */
function migrationSource(seed: string): Knex.MigrationSource<string> {
  const statements = (text: string) => text.split(';').map((sql) => sql.trim()).filter(Boolean)
  const run = (text: string): Knex.Migration => ({
    up: async (db) => {
      for (const sql of statements(text)) await db.raw(sql)
    },
    down: async () => {},
  })
  const migrations = new Map<string, Knex.Migration>(tableNames.map((_, i) => [`${String(i + 1).padStart(3, '0')}_table.js`, run(tableSql(i))]))
  migrations.set('999_seed.js', run(seed))
  return { getMigrations: async () => [...migrations.keys()], getMigrationName: (name) => name, getMigration: async (name) => migrations.get(name) as Knex.Migration }
}

await withScratch('sqlite-fixtures-bench-knex-', async (scratch) => {
  const { files, template, inTest, copyTemplate, close } = await benchSetup(scratch)
  const source = migrationSource(fs.readFileSync(files.seed, 'utf8'))
  const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} }
  // The app's one Knex per client, made once as the app's db module makes it, taken over by the seam.
  const apps = Object.fromEntries(clients.map((client) => [client, testKnex(knex({ client, connection: { filename: path.join(scratch, 'app.db') }, useNullAsDefault: true, log: quiet }))]))
  const rows: InterleavedRow[] = clients.flatMap((client): InterleavedRow[] => {
    const floor = `[${client}] floor: copy the template file + knex() on it + first query`
    const writingFloor = `[${client}] floor, writing a row`
    /** The floor: what a hand-written per-test setup does: a copy of the template file, a Knex on it, the work, destroy, delete. */
    const onFreshCopy = async (sql: string) => {
      const copy = copyTemplate()
      const db = knex({ client, connection: { filename: copy.file }, useNullAsDefault: true, log: quiet })
      await db.raw('PRAGMA foreign_keys = ON')
      await db.raw(sql)
      await db.destroy()
      copy.remove()
    }
    const app = apps[client] as Knex
    return [
      {
        name: `[${client}] usual: knex() on :memory: + migrate.latest() (41 migrations) + first query`,
        ref: floor,
        every: 15,
        fn: async () => {
          const db = knex({ client, connection: { filename: ':memory:' }, useNullAsDefault: true, log: quiet })
          await db.migrate.latest({ migrationSource: source })
          await db.raw(firstQuerySql)
          await db.destroy()
        },
      },
      { name: floor, ref: floor, fn: () => onFreshCopy(firstQuerySql) },
      { name: `* [${client}] plugin: the app's Knex through testKnex() + first query`, ref: floor, fn: () => inTest(() => app.raw(firstQuerySql)) },
      { name: writingFloor, ref: writingFloor, fn: () => onFreshCopy(insertOneSql()) },
      { name: `* [${client}] plugin, writing a row (and the foreign-key check at teardown)`, ref: writingFloor, fn: () => inTest(() => app.raw(insertOneSql())) },
    ]
  })
  try {
    const measured = await runInterleaved(rows, rounds)
    const version = (JSON.parse(fs.readFileSync(new URL('../node_modules/knex/package.json', import.meta.url), 'utf8')) as { version: string }).version
    printInterleaved(`knex ${version}, 40 tables, 1,000 rows (${(template.image.length / 1024).toFixed(0)} KiB); per test, medians of ${rounds} interleaved rounds (node ${process.version})`, rows, measured)
  } finally {
    for (const app of Object.values(apps)) await app.destroy()
    close()
  }
  /** knexLayer() and testKnex() of the app's Knex on `client`, in a lazy module mock. */
  const lazyMock = (client: string) =>
    "import { knexLayer } from 'sqlite-fixtures/knex'\nimport { configureSqliteFixtures } from 'sqlite-fixtures/vitest'\nimport { vi } from 'vitest'\n" +
    `vi.mock('./db.js', async () => { const { testKnex } = await import('sqlite-fixtures/knex'); const { default: knex } = await import('knex'); return { db: testKnex(knex({ client: '${client}', connection: { filename: 'app.db' }, useNullAsDefault: true })) } })\n` +
    `configureSqliteFixtures({ layers: [knexLayer({ client: '${client}' })] })\n`
  const reads = `import { expect, test } from 'vitest'\nimport { db } from '../db.js'\ntest('reads', async () => expect(await db.raw(${JSON.stringify(firstQuerySql)})).toBeDefined())\n`
  await perFileCosts(scratch, files, {
    never: [{ name: "knexLayer() and testKnex() in a lazy module mock, the app's Knex not imported", setup: lazyMock('better-sqlite3') }],
    uses: [
      untouchedControl,
      // Per client, the same app without the seam: its own Knex on a copy of the plain-schema file.
      ...clients.flatMap((client) => [
        {
          name: `  control [${client}]: the app without the seam, its own Knex on a copy of the plain-schema file, each test reads through it`,
          setup: ownAppSetup(scratch, template.image, `const { default: knex } = await import('knex')\n  return { db: knex({ client: '${client}', connection: { filename: file }, useNullAsDefault: true }) }`),
          test: reads,
        },
        { name: `[${client}] knexLayer() and testKnex() in a lazy module mock, each test reads through the app's Knex`, setup: lazyMock(client), test: reads },
      ]),
      // The plugin's core runs on better-sqlite3, so a worker of the layer on node-sqlite3 holds
      // both drivers and Knex: the same app, better-sqlite3 loaded beside it, shows what that costs.
      {
        name: '  control [sqlite3]: the same app, better-sqlite3 also loaded (one :memory: connection)',
        setup: ownAppSetup(
          scratch,
          template.image,
          "const { default: Database } = await import('better-sqlite3')\n  new Database(':memory:').close()\n  const { default: knex } = await import('knex')\n  return { db: knex({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true }) }",
        ),
        test: reads,
      },
    ],
  })
})
