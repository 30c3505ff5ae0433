import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, probeLoads, repoRoot, runFixture } from '../support/run-vitest.js'

const sample = path.join(repoRoot, 'fixtures/kysely-app')
const names = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Radia', 'Ken']
/** Where the app would open its own database: relative to the working directory of the run. */
const appDbs = [path.join(repoRoot, 'app.db'), path.join(sample, 'app.db')]

/** The spans [begin, commit] of the transactions logged as `begin <group> <name>` / `commit <group> <name>`. */
function overlaps(events: readonly string[], group: string): number {
  let open = 0
  let most = 0
  for (const line of events) {
    if (line.startsWith(`begin ${group} `)) most = Math.max(most, ++open)
    if (line.startsWith(`commit ${group} `)) open -= 1
  }
  return most
}

/** What a worker loaded that a file which never touches a database should not: the driver, the ORM, a template. */
const databaseLoads = (loads: readonly string[]) => loads.filter((load) => /^better-sqlite3$|node_modules\/kysely\/|^read .*\.sqlite$/.test(load))

test.each([
  ['in the plugin (applied by the main process)', {}, []],
  // The older way: every file's worker prepares before its first test. Once a worker has
  // built the template, the stat fast path vouches for it without loading anything; a file
  // that starts before that builds it or waits: what it loads depends on timing.
  ["in the setup file's layer (applied by the workers, the older way)", { KYSELY_SAMPLE_MIGRATIONS: 'setup-file' }, undefined],
])('a Kysely app runs on a fresh database per test, through its own singleton, with TypeScript migrations %s', async (_, env, pureLoads) => {
  for (const file of appDbs) expect(fs.existsSync(file)).toBe(false)
  const scratch = makeScratch()
  const probe = probeLoads(scratch)
  const run = await runFixture('kysely-app', { scratch, env: { ...env, ...probe.env }, config: probe.config, captureOutput: true })
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  // The older way says so, once for the run (its workers each noted it), naming the plugin's way.
  const notices = run.output.match(/the Kysely migrations in migrations are applied in the test workers.*kyselyMigrations\(\{ folder: 'migrations' \}\)/g) ?? []
  expect(notices).toHaveLength(pureLoads ? 0 : 1)
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      "app code on the app's own Kysely reaches each test's own database > a test registers a customer and places orders",
      "app code on the app's own Kysely reaches each test's own database > the next test starts clean",
      'ctx.kysely is typed with the registered DB, on the same database as the app',
      'foreign keys are enforced through Kysely',
      "a transaction in app code commits to the test's database, and a failed one rolls back",
      'the schema came from the TypeScript migrations, run once on the template',
      "the app's own database file was never opened",
      'context mode gives ctx.kysely, typed, on the same database as the app',
      'and the next test starts clean',
      'the email migration fills an email for every existing customer',
      'a pure function needs no database',
      "a helper reaches the app's own Kysely in a file that imports no app module",
      ...names.map((name) => `concurrent app test ${name} sees only its own customer`),
      ...names.map((name) => `concurrent ctx.kysely test ${name} sees only its own customer`),
    ].sort(),
  )
  // The ten app tests ran at once: all had started before the first one ended.
  const starts = run.events.flatMap((line, i) => (line.startsWith('start app ') ? [i] : []))
  expect(starts).toHaveLength(10)
  expect(run.events.findIndex((line) => line.startsWith('end app '))).toBeGreaterThan(Math.max(...starts))
  // Through the app's one Kysely, transactions took turns (its driver's mutex); through
  // ctx.kysely, one Kysely per test, they were open at the same time, each on its own database.
  expect(overlaps(run.events, 'app')).toBe(1)
  expect(overlaps(run.events, 'ctx')).toBeGreaterThan(1)
  // The module mock in the setup file reached the app modules the tests import: the app's
  // own file was never created, wherever the run started.
  for (const file of appDbs) expect(fs.existsSync(file)).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
  // The worker of the file that never touches a database: what it loaded of the database's things.
  const purePid = run.events.find((line) => line.startsWith('pure file pid '))?.split(' ').at(-1) as string
  if (pureLoads) expect(databaseLoads(probe.loadsOf(purePid))).toEqual(pureLoads)
})

const brokenMigration =
  'sqlite-fixtures: Kysely migration 2024_01_11_002_orders ' +
  `(${path.join(sample, 'broken-migrations/2024_01_11_002_orders.ts')}) failed while building the template ` +
  '(after 2024_01_10_001_customers applied): no such table: main.ordres. Fix the migration, or step through the ' +
  "migrations with migrator() from 'sqlite-fixtures/kysely'."

test('a failing migration in the plugin fails the run once, at its start, naming the migration and its file', async () => {
  const failure = await runFixture('kysely-app', { env: { KYSELY_MIGRATIONS: 'broken' }, files: ['tests/orders.test.ts'] }).then(
    (run) => run.tests,
    (error: unknown) => error,
  )
  expect(failure).toMatchObject({ name: 'SchemaError', message: expect.stringContaining(brokenMigration) })
})

test("a failing migration in the setup file's layer fails every test, naming the migration and its file", async () => {
  // The older way, migrations in a setup file: the worker prepares before the file's first test, whatever it touches.
  const run = await runFixture('kysely-app', { env: { KYSELY_MIGRATIONS: 'broken', KYSELY_SAMPLE_MIGRATIONS: 'setup-file' }, files: ['tests/orders.test.ts'] })
  expect(run.tests.length).toBeGreaterThan(1)
  for (const t of run.tests) expect([t.name, t.state, t.errors]).toEqual([t.name, 'failed', [brokenMigration]])
  expect(leftovers(run.tmpDir)).toEqual([])
})

test("Jest: the app's Kysely through jest.mock, TypeScript migrations through Jest's transform, currentLayer('kysely')", async () => {
  const run = await runJest('jest-kysely')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ["app code on the app's own Kysely writes to the test database", 'passed'],
    ['the next test sees none of it', 'passed'],
    ['currentLayer("kysely") is a typed Kysely on the same database', 'passed'],
    ['foreign keys are enforced through Kysely, and a failed transaction rolls back', 'passed'],
    ['the schema came from the TypeScript migrations', 'passed'],
    ['migrator() loads the TypeScript migrations through Jest too', 'passed'],
    ["the app's own database file was never opened", 'passed'],
  ])
  for (const file of appDbs) expect(fs.existsSync(file)).toBe(false)
  expect(leftovers(run.tmpDir).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})
