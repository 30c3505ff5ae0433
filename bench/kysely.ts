// `npm run bench:kysely`: what one test's Kysely costs, on the benchmark's 40-table schema
// (foreign keys, indexes, 1,000 seed rows) given as Kysely migrations (one per table, then
// the seed): a bare Kysely on a copy of the migrated image (the floor), migrating a fresh
// database per test (the naive way), and this plugin's layer, both ways ctx.kysely could
// be made. The rows run interleaved, round after round, so load on a shared machine falls
// on all of them alike.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely'
import { currentScope, runInScope } from '../src/core/lifecycle/owner.js'
import { resolveOptions } from '../src/core/base/options.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { testDatabase } from '../src/core/access/test-database.js'
import { kyselyLayer } from '../src/kysely/layer.js'
import { formatMs } from './report.js'
import { summarize, type Measurement } from './measure.js'
import { seedSql, writeSchemaFiles } from './schema.js'

type Untyped = Kysely<Record<string, Record<string, unknown>>>

/** The schema as migrations: one per table (its `create table` and indexes), then the seed. */
function migrations(scratch: string): MigrationProvider {
  const files = writeSchemaFiles(path.join(scratch, 'schema'), seedSql())
  const statements = (text: string) => text.split(';').map((s) => s.trim()).filter(Boolean)
  const run = (text: string): Migration => ({
    up: async (db) => {
      for (const statement of statements(text)) await sql.raw(statement).execute(db)
    },
  })
  const steps: Record<string, Migration> = {}
  fs.readFileSync(files.schema, 'utf8').trim().split('\n\n').forEach((table, i) => {
    steps[`${String(i + 1).padStart(3, '0')}_table`] = run(table)
  })
  steps['999_seed'] = run(fs.readFileSync(files.seed, 'utf8'))
  return { getMigrations: async () => steps }
}

/** A test's queries: the first makes SQLite read the schema; `count` more are plain reads. */
async function queries(kysely: Untyped, count: number): Promise<void> {
  for (let i = 0; i <= count; i++) {
    await kysely.selectFrom('tenants').select((eb) => eb.fn.countAll().as('n')).where('id', '>', i).executeTakeFirstOrThrow()
  }
}

interface Row {
  readonly name: string
  readonly floor: string
  readonly fn: () => Promise<void>
  readonly every?: number
  readonly samples: number[]
}

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-kysely-'))
  const provider = migrations(scratch)
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: scratch, cacheDir: 'cache', layers: [kyselyLayer({ provider })] }))
  try {
    const { image } = await runtime.prepare()
    // The app's singleton, made once as the setup file's module mock makes it.
    const appKysely: Untyped = new Kysely({ dialect: new SqliteDialect({ database: testDatabase() }) })
    const bare = (count: number) => async () => {
      const db = new Database(image)
      db.pragma('foreign_keys = ON')
      const kysely: Untyped = new Kysely({ dialect: new SqliteDialect({ database: db }) })
      await queries(kysely, count)
      await kysely.destroy()
    }
    const inTest = (use: () => Untyped, count: number) => async () => {
      const scope = runtime.openScope('bench')
      await runInScope(scope, () => queries(use(), count))
      await scope.dispose()
    }
    const perTest = () => currentScope().get('kysely') as unknown as Untyped
    const floor1 = '[floor] bare new Kysely(SqliteDialect(new Database(image))), 1 query'
    const floor101 = '[floor] the same, 101 queries'
    const rows: Row[] = [
      {
        name: 'migrate per test: new Database + Migrator.migrateToLatest(), 1 query',
        floor: floor1,
        every: 25,
        samples: [],
        fn: async () => {
          const db = new Database(':memory:')
          db.pragma('foreign_keys = ON')
          const kysely: Untyped = new Kysely({ dialect: new SqliteDialect({ database: db }) })
          const { error } = await new Migrator({ db: kysely, provider }).migrateToLatest()
          if (error) throw error
          await queries(kysely, 0)
          await kysely.destroy()
        },
      },
      { name: floor1, floor: floor1, samples: [], fn: bare(0) },
      { name: '* plugin: ctx.kysely, a Kysely per test on its clone (chosen), 1 query', floor: floor1, samples: [], fn: inTest(perTest, 0) },
      { name: '* plugin: one Kysely made once over testDatabase() (the app seam), 1 query', floor: floor1, samples: [], fn: inTest(() => appKysely, 0) },
      { name: floor101, floor: floor101, samples: [], fn: bare(100) },
      { name: '* plugin: ctx.kysely, 101 queries', floor: floor101, samples: [], fn: inTest(perTest, 100) },
      { name: '* plugin: one Kysely over testDatabase(), 101 queries', floor: floor101, samples: [], fn: inTest(() => appKysely, 100) },
    ]
    const rounds = 1500
    for (let round = -100; round < rounds; round++) {
      for (const row of rows) {
        if (row.every !== undefined && round % row.every !== 0) continue
        const started = performance.now()
        await row.fn()
        if (round >= 0) row.samples.push(performance.now() - started)
      }
    }
    const measured = new Map<string, Measurement>(rows.map((row) => [row.name, summarize(row.samples)]))
    console.log(`Kysely, 40 tables as 41 migrations, 1,000 seed rows; per test, medians of ${rounds} interleaved rounds (node ${process.version})`)
    for (const row of rows) {
      const m = measured.get(row.name) as Measurement
      const floor = (measured.get(row.floor) as Measurement).medianMs
      console.log(
        `${row.name.padEnd(78)} ${formatMs(m.medianMs).padStart(10)}  p95 ${formatMs(m.p95Ms).padStart(10)}  n ${String(m.samples).padStart(4)}` +
          `  ${(m.medianMs / floor).toFixed(2).padStart(6)}x floor`,
      )
    }
  } finally {
    runtime.close()
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
