// The setup file of sqlite-fixtures/d1: runs inside the Workers runtime, in every test file,
// and gives each test its D1 databases fresh from their templates, through the app's own
// bindings. Each test runs in its own async context, so work it leaves running is refused
// by name once it has ended. It imports no Node module but node:async_hooks, which the pool's
// nodejs_compat gives: the main process does the file work.
import * as cloudflareTest from 'cloudflare:test'
import * as workers from 'cloudflare:workers'
import { aroundEach, beforeEach, inject } from 'vitest'
import { instrumentD1, type Owner, runAs } from './ownership.js'
import { probeTable, serviceBinding, type FreshWay, type LocateRequest, type StartAnswer, type SwapRequest } from './protocol.js'
import { failureReport } from './report.js'
import { carryTestsAcrossRequests } from './requests.js'

const { abortAllDurableObjects, env } = cloudflareTest

interface D1Statement {
  bind(...values: unknown[]): D1Statement
  run(): Promise<unknown>
  all<Row>(): Promise<{ results: Row[] }>
}
interface D1Database {
  prepare(sql: string): D1Statement
  batch(statements: D1Statement[]): Promise<unknown>
}
interface Fetcher {
  fetch(url: string, init: { method: string; body: string }): Promise<Response>
}

interface Database {
  readonly binding: string
  readonly db: D1Database
  readonly token: string
  readonly fresh: FreshWay
}

async function ask<T>(operation: string, body: unknown): Promise<T> {
  const service = env[serviceBinding] as Fetcher | undefined
  if (service === undefined) {
    throw new Error(
      'sqlite-fixtures/d1: the test worker has no service binding from the plugin. Give the pool the plugin\'s options: ' +
        'cloudflareTest(d1.poolOptions({ ... })), where d1 = d1Fixtures({ ... }) is also in the plugins.',
    )
  }
  const response = await service.fetch(`http://sqlite-fixtures/${operation}`, { method: 'POST', body: JSON.stringify(body) })
  const text = await response.text()
  if (!response.ok) throw new Error(text)
  return (text === '' ? undefined : JSON.parse(text)) as T
}

function d1Binding(binding: string): D1Database {
  const db = env[binding] as Partial<D1Database> | undefined
  if (typeof db?.prepare !== 'function' || typeof db.batch !== 'function') {
    throw new Error(`sqlite-fixtures/d1: env.${binding} is not a D1 binding of the test worker. Check d1_databases in your wrangler config and the names given to d1Fixtures().`)
  }
  return db as D1Database
}

/** The worker's main module, as the pool loads it (its options name it), to wrap its fetch handler. */
async function mainModule(): Promise<Record<string, unknown> | undefined> {
  const options = (inject as (key: string) => unknown)('cloudflarePoolOptions')
  const main = typeof options === 'string' ? (JSON.parse(options) as { main?: unknown }).main : undefined
  return typeof main === 'string' ? ((await import(/* @vite-ignore */ main)) as Record<string, unknown>) : undefined
}

/**
 * Once per test file: wraps D1's methods and the worker's requests to itself, so each call
 * knows its test; then finds each database, by a token written into it that tells the main
 * process which SQLite file under this file's Miniflare is the binding's, once D1's object
 * closed it.
 */
async function start(): Promise<Database[]> {
  const { bindings } = await ask<StartAnswer>('start', {})
  const first = bindings[0]
  if (first !== undefined) instrumentD1(d1Binding(first))
  carryTestsAcrossRequests([workers.exports?.default, cloudflareTest.SELF], await mainModule())
  const probes = await Promise.all(
    bindings.map(async (binding) => {
      const db = d1Binding(binding)
      const token = crypto.randomUUID()
      await db.batch([db.prepare(`CREATE TABLE IF NOT EXISTS ${probeTable} (token TEXT)`), db.prepare(`INSERT INTO ${probeTable} (token) VALUES (?)`).bind(token)])
      return { binding, db, token }
    }),
  )
  await abortAllDurableObjects()
  return Promise.all(probes.map(async (probe) => ({ ...probe, fresh: await ask<FreshWay>('locate', { binding: probe.binding, token: probe.token } satisfies LocateRequest) })))
}

/** Every table, view and trigger of the app's schema (not D1's own `_cf_` tables). */
async function userObjects(db: D1Database): Promise<{ type: string; name: string }[]> {
  const { results } = await db
    .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
    .all<{ type: string; name: string }>()
  return results
}

/** The public-API way: one batch (one transaction) drops the schema and loads the template's dump. */
async function restore(db: D1Database, statements: readonly string[]): Promise<void> {
  const drops = (await userObjects(db)).map(({ type, name }) => `DROP ${type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS "${name.replaceAll('"', '""')}"`)
  await db.batch(['PRAGMA defer_foreign_keys = ON', ...drops, ...statements].map((sql) => db.prepare(sql)))
}

let databases: Promise<Database[]> | undefined

async function freshDatabases(): Promise<void> {
  const all = await (databases ??= start())
  const swapped = all.filter((database) => database.fresh.way === 'swap')
  if (swapped.length > 0) {
    // Closes D1's objects (and the project's own: their stored data stays), so the main
    // process can replace the files; the next query opens the copy.
    await abortAllDurableObjects()
    await ask('swap', { databases: swapped.map(({ binding, token }) => ({ binding, token })) } satisfies SwapRequest)
  }
  for (const database of all) if (database.fresh.way === 'restore') await restore(database.db, database.fresh.statements)
}

/** Each test runs for its owner; once it has ended, D1 calls made for it are refused. A failed test's report lists its D1 calls. */
aroundEach(async (runTest, { task }) => {
  const owner: Owner = { name: task.fullTestName ?? task.name, ended: false, statements: [], total: 0 }
  try {
    await runAs(owner, runTest)
  } finally {
    owner.ended = true
  }
  if (task.result?.state === 'fail' && owner.total > 0) throw failureReport(owner)
})

beforeEach(async ({ task }) => {
  // The plugin's own D1 calls belong to no test.
  await runAs(null, async () => {
    databases ??= start()
    if (!(task.tags ?? []).includes('no-db')) await freshDatabases()
    else await databases
  })
})
