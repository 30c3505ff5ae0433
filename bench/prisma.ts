// `npm run bench:prisma`: what one test's Prisma setup costs, on the Prisma sample's schema
// (fixtures/prisma-app: 5 models with relations, two migrations): migrating a database per
// test, a new PrismaClient per test on a copy of the migrated file, one client reconnected
// to a fresh copy per test, against this plugin's layer (the app's one client, on the test's
// in-memory clone). Each row ends with the same first query, so each pays for it once.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import Database from 'better-sqlite3'
import { PrismaClient } from '../fixtures/prisma-app/src/generated/prisma/client.js'
import { runInScope } from '../src/core/lifecycle/owner.js'
import { resolveOptions } from '../src/core/base/options.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { testPrismaAdapter } from '../src/prisma/adapter.js'
import { prismaLayer } from '../src/prisma/layer.js'
import { readMigrations } from '../src/prisma/migrations.js'
import { measure, quick, slow, type Measurement } from './measure.js'
import { formatMs } from './report.js'

const project = path.join(import.meta.dirname, '../fixtures/prisma-app')

/** The first query of a test: a join across the relations, so Prisma plans and runs a real read. */
const firstQuery = (prisma: PrismaClient) => prisma.order.findMany({ include: { customer: true, lines: { include: { product: true } } } })

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-prisma-'))
  const migrations = readMigrations(path.join(project, 'prisma/migrations'), project)
  const migrate = (file: string) => {
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    for (const migration of migrations) db.exec(migration.sql)
    db.close()
  }
  const app = new PrismaClient({ adapter: testPrismaAdapter() })
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: project, cacheDir: path.join(scratch, 'cache'), layers: [prismaLayer({ client: app })] }))
  const template = await runtime.prepare()
  const rows: [string, Measurement][] = []
  let counter = 0
  const nextFile = () => path.join(scratch, `${(counter += 1)}.db`)
  try {
    // `prisma migrate reset` spawns the CLI and its schema engine on top of this (seconds): a lower bound.
    const resetFile = path.join(scratch, 'reset.db')
    const resetClient = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${resetFile}` }) })
    rows.push([
      'migrate per test: fresh file, every migration, the client reconnects',
      await measure('migrate', async () => {
        await resetClient.$disconnect()
        fs.rmSync(resetFile, { force: true })
        migrate(resetFile)
        await firstQuery(resetClient)
      }, slow),
    ])
    await resetClient.$disconnect()

    rows.push([
      'new PrismaClient per test on a copy of the migrated file',
      await measure('new client', async () => {
        const file = nextFile()
        fs.copyFileSync(template.file, file)
        const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) })
        await firstQuery(prisma)
        await prisma.$disconnect()
        fs.rmSync(file)
      }, slow),
    ])

    const keptFile = path.join(scratch, 'kept.db')
    const kept = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${keptFile}` }) })
    rows.push([
      'one client, $disconnect + a fresh copy of the file per test',
      await measure('reconnect', async () => {
        await kept.$disconnect()
        fs.copyFileSync(template.file, keptFile)
        await firstQuery(kept)
      }, quick),
    ])
    await kept.$disconnect()

    rows.push([
      'plugin: the app client on a fresh in-memory clone (prismaLayer)',
      await measure('plugin', async () => {
        const scope = runtime.openScope('bench')
        await runInScope(scope, async () => {
          await firstQuery(app)
        })
        await scope.dispose()
      }, quick),
    ])

    // Per query, once the test's database exists: the layer's own overhead over Prisma's.
    const held = runtime.openScope('bench, queries')
    rows.push([
      'plugin: the query again, in a test whose clone exists',
      await runInScope(held, () =>
        measure('plugin query', async () => {
          await firstQuery(app)
        }, quick),
      ),
    ])
    await held.dispose()

    const sharedFile = nextFile()
    fs.copyFileSync(template.file, sharedFile)
    const shared = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${sharedFile}` }) })
    rows.push([
      '[floor] the query alone: one client, one database, no fresh copy',
      await measure('query', async () => {
        await firstQuery(shared)
      }, quick),
    ])
    await shared.$disconnect()
  } finally {
    runtime.close()
    fs.rmSync(scratch, { recursive: true, force: true })
  }
  const plugin = rows[3]?.[1].medianMs ?? Number.NaN
  console.log(`Prisma ${readVersion()}, the sample's schema (5 models, 2 migrations); per test, medians (node ${process.version})`)
  for (const [name, m] of rows) {
    console.log(
      `${name.padEnd(70)} ${formatMs(m.medianMs).padStart(10)}  p95 ${formatMs(m.p95Ms).padStart(10)}  ${(m.medianMs / plugin).toFixed(2).padStart(7)}x the plugin`,
    )
  }
}

function readVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../node_modules/@prisma/client/package.json'), 'utf8')) as { version: string }).version
}

await main()
