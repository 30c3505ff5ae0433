// The setup file of sqlite-fixtures/d1: runs inside the Workers runtime, in every test file,
// and gives each test its D1 databases fresh from their templates, through the app's own
// bindings. Each test runs in its own async context, so work it leaves running is refused
// by name once it has ended. The Node modules it loads (node:async_hooks, and those of the
// core's base) come from the pool's nodejs_compat; the main process does the file work.
import * as cloudflareTest from 'cloudflare:test'
import * as workers from 'cloudflare:workers'
import { aroundAll, aroundEach, beforeEach, inject } from 'vitest'
import { aroundBlocks, type Block, nearestBlock } from './blocks.js'
import { concurrentTestError } from './errors.js'
import { instrumentD1, type Owner, runAs } from './ownership.js'
import { type BlockRequest, bindingsKey, probeTable, serviceBinding, type FreshWay, type LocateRequest, type StartAnswer, type SwapAnswer, type SwapRequest } from './protocol.js'
import { failureReport } from './report.js'
import { carryTestsAcrossRequests } from './requests.js'
import { forgetReached, wasReached } from './uses.js'

const { env } = cloudflareTest
/** The file swap closes D1's object with it; pools before @cloudflare/vitest-pool-workers 0.15 have none. */
const abortAllDurableObjects = cloudflareTest.abortAllDurableObjects as (() => Promise<void>) | undefined
const noAbort = "this pool has no abortAllDurableObjects() in cloudflare:test (it came in @cloudflare/vitest-pool-workers 0.15), which the file swap needs to close D1's database"

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

// Wrapped before the test file loads, so that a method it takes from a binding at import
// (`const query = env.DB.query.bind(env.DB)`) is the wrapped one; start() checks the bindings.
const [firstBinding] = ((inject as (key: string) => unknown)(bindingsKey) as string[] | undefined) ?? []
const first = firstBinding === undefined ? undefined : (env[firstBinding] as Partial<D1Database> | undefined)
if (typeof first?.prepare === 'function' && typeof first.batch === 'function') instrumentD1(first)

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
  await abortAllDurableObjects?.()
  const unswappable = abortAllDurableObjects ? undefined : noAbort
  return Promise.all(probes.map(async (probe) => ({ ...probe, fresh: await ask<FreshWay>('locate', { binding: probe.binding, token: probe.token, unswappable } satisfies LocateRequest) })))
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

/** The databases a file swap gives fresh. */
async function swappedDatabases(): Promise<Database[]> {
  return (await (databases ??= start())).filter((database) => database.fresh.way === 'swap')
}

const located = ({ binding, token }: Database): LocateRequest => ({ binding, token })

/** What each binding's database was given last by a swap: the template (''), or a describe block's copy (its key). */
const given = new Map<string, string>()

/**
 * Gives each database fresh: from the template, or from the copy of the describe block the
 * test is in. A database that nothing reached since it was given the same copy keeps it (the
 * main process checks its file too). For the others, D1's objects are closed first (and the
 * project's own: their stored data stays), so the main process can replace the files; the
 * next query opens the copy.
 */
async function freshDatabases(block: Block | undefined): Promise<void> {
  const swapped = await swappedDatabases()
  if (swapped.length > 0) {
    const source = block?.key ?? ''
    const bindings = swapped.map((database) => database.db)
    const requests = swapped.map((database) => ({ ...located(database), unreached: given.get(database.binding) === source && !wasReached(database.db, bindings) }))
    forgetReached()
    let closed = requests.some((request) => !request.unreached)
    if (closed) await abortAllDurableObjects?.()
    const answer = await ask<SwapAnswer | undefined>('swap', { databases: requests, block: block?.key, closed } satisfies SwapRequest)
    if (answer?.closeFirst) {
      closed = true
      await abortAllDurableObjects?.()
      await ask('swap', { databases: requests, block: block?.key, closed } satisfies SwapRequest)
    }
    for (const { binding } of requests) given.set(binding, source)
  }
  await restoreTemplates()
}

/** The one-batch way: each database that takes it gets its template again (a block's data is not kept there). */
async function restoreTemplates(): Promise<void> {
  for (const database of await (databases ??= start())) if (database.fresh.way === 'restore') await restore(database.db, database.fresh.statements)
}

/** Takes a block's copy once its beforeAll has run (its first test starts, or a nested block does). */
async function freeze(block: Block): Promise<void> {
  if (block.parent && !block.parent.frozen) await freeze(block.parent)
  block.frozen = true
  const swapped = await swappedDatabases()
  if (swapped.length === 0) return
  await abortAllDurableObjects?.()
  await ask('freeze', { databases: swapped.map(located), block: block.key } satisfies BlockRequest)
}

// A describe block (or a file) whose beforeAll writes starts from its parent's data, and its
// tests from the data its beforeAll left. The one-batch way restores the template only.
aroundAll(
  aroundBlocks({
    enter: (block) =>
      runAs(null, async () => {
        if (block.parent && !block.parent.frozen) await freeze(block.parent)
        await freshDatabases(block.parent)
      }),
    leave: (block) =>
      runAs(null, async () => {
        if (block.frozen) await ask('drop', { databases: (await swappedDatabases()).map(located), block: block.key } satisfies BlockRequest)
      }),
  }),
)

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
    const block = nearestBlock(task.suite ?? task.file)
    // A block's first test finds its data as the beforeAll left it: the copy is taken from it.
    const optedOut = (task.tags ?? []).includes('no-db')
    if (task.concurrent && !optedOut) throw concurrentTestError(task.fullTestName ?? task.name)
    if (block && !block.frozen) {
      await freeze(block)
      if (!optedOut) await restoreTemplates()
    } else if (!optedOut) await freshDatabases(block)
    await databases
  })
})
