// `npm run bench:drizzle`: what one test's Drizzle database costs, on the bench's 40-table
// schema (foreign keys, indexes, 1,000 seed rows) applied by Drizzle migrations: the bare
// floor (drizzle() over a fresh copy of the migrated image), a fresh in-memory database
// migrated by Drizzle's migrate() per test, and this plugin's layer, side by side in one run.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { count } from 'drizzle-orm'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { integer, sqliteTable, text, type AnySQLiteColumn, type SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core'
import { currentScope, runInScope } from '../src/core/lifecycle/owner.js'
import { defineLayer } from '../src/core/base/layer.js'
import { resolveOptions } from '../src/core/base/options.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { testDatabase } from '../src/core/access/test-database.js'
import { drizzleOver } from '../src/drizzle/database.js'
import { drizzleLayer } from '../src/drizzle/layer.js'
import { drizzleV1, drizzleVersion } from '../src/drizzle/version.js'
import { measure, quick, slow, type Measurement } from './measure.js'
import { formatMs } from './report.js'
import { parents, seedSql, tableNames, tableSql } from './schema.js'

/** The bench schema as Drizzle tables: the same columns and foreign keys as bench/schema.ts's SQL. */
function drizzleSchema() {
  const tables: Record<string, ReturnType<typeof table>> = {}
  function table(index: number) {
    const keys: Record<string, SQLiteColumnBuilderBase> = {}
    for (const parent of parents(index)) {
      const name = `${tableNames[parent]}_id`
      keys[name] = integer(name)
        .notNull()
        .references((): AnySQLiteColumn => (tables[tableNames[parent] as string] as ReturnType<typeof table>).id)
    }
    return sqliteTable(tableNames[index] as string, {
      id: integer('id').primaryKey(),
      ...keys,
      name: text('name').notNull(),
      email: text('email'),
      status: text('status').notNull().default('active'),
      amountCents: integer('amount_cents').notNull().default(0),
      notes: text('notes'),
      createdAt: text('created_at').notNull(),
      updatedAt: text('updated_at'),
    })
  }
  tableNames.forEach((name, index) => (tables[name] = table(index)))
  return tables
}

/**
 * Writes the schema as drizzle-kit would, in the installed drizzle-orm's format: four
 * migrations of ten tables each, statements split by breakpoints, then the seed as a data
 * migration (the plugin's `seed` option runs before layers' migrations, so it cannot seed here).
 */
function writeMigrations(folder: string): void {
  const statements = (text: string) => text.split(/;\n/).map((s) => s.trim()).filter(Boolean).map((s) => `${s};`)
  const migrations = [0, 1, 2, 3].map((part) => tableNames.slice(part * 10, part * 10 + 10).flatMap((_, i) => statements(tableSql(part * 10 + i))))
  migrations.push(statements(seedSql()))
  const tags = migrations.map((_, i) => `${String(i).padStart(4, '0')}_bench_${i}`)
  if (drizzleV1) {
    migrations.forEach((list, i) => {
      const dir = path.join(folder, `2025010100000${i}_bench_${i}`)
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, 'migration.sql'), list.join('\n--> statement-breakpoint\n'))
    })
    return
  }
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true })
  const entries = tags.map((tag, idx) => ({ idx, version: '6', when: 1_735_689_600_000 + idx, tag, breakpoints: true }))
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries }))
  migrations.forEach((list, i) => fs.writeFileSync(path.join(folder, `${tags[i]}.sql`), list.join('\n--> statement-breakpoint\n')))
}

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-drizzle-'))
  const schema = drizzleSchema()
  const tenants = schema.tenants as ReturnType<typeof drizzleSchema>[string]
  const migrationsFolder = path.join(scratch, 'drizzle')
  writeMigrations(migrationsFolder)
  // drizzle-orm 1.x types relational queries from `relations`; the bench makes none, so it passes nothing there.
  const shape = drizzleV1 ? {} : { schema }
  type Orm = ReturnType<typeof drizzleOver<typeof schema>>
  const firstQuery = (orm: Orm) => orm.select({ n: count() }).from(tenants).get()

  // The layer, and the alternative it was chosen over: a new Drizzle instance per test over ctx.db.
  const perTest = defineLayer({ name: 'drizzlePerTest', dependsOn: ['db'], setup: ({ db }) => drizzleOver(db, shape) })
  const runtime = new FixtureRuntime(
    resolveOptions({ rootDir: scratch, cacheDir: 'cache', layers: [drizzleLayer({ migrationsFolder, ...shape }), perTest] }),
  )
  const { image } = await runtime.prepare()
  // App code's module-level prepared query, made at import time over the handle.
  const appDb = drizzleOver(testDatabase(), shape)
  // The same query as the other rows, prepared once at import.
  const preparedAtImport = appDb.select({ n: count() }).from(tenants).prepare()
  const inTest = async (work: () => unknown) => {
    const scope = runtime.openScope('bench')
    await runInScope(scope, async () => {
      await work()
    })
    await scope.dispose()
  }

  /** Each row is measured in rounds, interleaved with the others, so load from other processes falls on all alike. */
  const tasks: [string, () => unknown][] = [
    ['floor: bare drizzle(new Database(image)) + pragma + query', () => {
      const db = new Database(image)
      db.pragma('foreign_keys = ON')
      firstQuery(drizzleOver(db, shape))
      db.close()
    }],
    ['plugin: ctx.drizzle (one instance over testDatabase())', () => inTest(() => firstQuery(currentScope().get('drizzle') as unknown as Orm))],
    ['alternative: a new drizzle({ client: ctx.db }) per test', () => inTest(() => firstQuery(currentScope().get('drizzlePerTest') as unknown as Orm))],
    ['plugin: the same query, prepared by app code at import', () => inTest(() => preparedAtImport.get())],
  ]
  const rounds = 5
  const medians = new Map<string, number[]>()
  let migrated: Measurement
  try {
    migrated = await measure('migrate', () => {
      const db = new Database(':memory:')
      db.pragma('foreign_keys = ON')
      const orm = drizzleOver(db, shape)
      migrate(orm, { migrationsFolder })
      firstQuery(orm)
      db.close()
    }, slow)
    for (let round = 0; round < rounds; round++) {
      for (const [name, fn] of tasks) {
        const m = await measure(name, fn, { ...quick, time: 300 })
        medians.set(name, [...(medians.get(name) ?? []), m.medianMs])
      }
      process.stderr.write(`  round ${round + 1}/${rounds}\n`)
    }
    // The parts that decide between one instance and one per test, on a test's database.
    await inTest(async () => {
      const db = currentScope().get('db')
      const direct = drizzleOver(db, shape)
      const shared = currentScope().get('drizzle') as unknown as Orm
      for (const [name, fn] of [
        ['  drizzle({ client, schema }) alone', () => drizzleOver(db, shape)],
        ['  one query on the test database, direct', () => firstQuery(direct)],
        ['  one query through testDatabase()', () => firstQuery(shared)],
      ] as const) {
        medians.set(name, [(await measure(name, fn, quick)).medianMs])
      }
    })
  } finally {
    runtime.close()
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
  const floor = median(medians.get(tasks[0]?.[0] ?? '') ?? [])
  console.log(
    `Drizzle ${drizzleVersion}, ${tableNames.length} tables, 1,000 rows (${(image.length / 1024).toFixed(0)} KiB); ` +
      `per test, median of ${rounds} interleaved rounds' medians (node ${process.version})`,
  )
  console.log(`${'migrate per test: new Database(:memory:) + drizzle() + migrate()'.padEnd(68)} ${formatMs(migrated.medianMs).padStart(10)}  ${(migrated.medianMs / floor).toFixed(2).padStart(6)}x the floor`)
  for (const [name, values] of medians) {
    const m = median(values)
    console.log(`${name.padEnd(68)} ${formatMs(m).padStart(10)}  ${(m / floor).toFixed(2).padStart(6)}x the floor`)
  }
}

await main()
