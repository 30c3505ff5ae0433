import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/kysely-libsql-app')
/** Where the app's `createClient({ url: process.env.APP_DB_URL ?? 'file:app.db' })` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(repoRoot, 'app.db')]

test("a Kysely app on libSQL runs on a fresh database per test, its migrations applied once by Kysely's Migrator", async () => {
  const run = await runFixture('kysely-libsql-app', { captureOutput: true })
  expect(run.errors).toEqual([])
  // The migrations are the plugin's: no worker applies them, and the run has nothing to say of them.
  expect(run.output).not.toContain('sqlite-fixtures: the Kysely migrations')
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      "app code on its own Kysely runs on each test's database > a transaction, then a query again: the tables are still there",
      "app code on its own Kysely runs on each test's database > the next test starts clean",
      'ctx.kysely and ctx.db are on the same database as the app',
      "app code on the raw client and on Kysely reach the same test's database",
      'foreign keys are enforced through Kysely, and a failed transaction writes nothing',
      'BigInt and blob values come back as Kysely on the real client returns them on a plain file',
      "the template holds what Kysely's Migrator writes on libSQL: the same schema and migration names",
      ...Array.from({ length: 10 }, (_, i) => `concurrent Kysely-on-libSQL test ${i + 1} sees only its own rows`),
    ].sort(),
  )
  for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Jest: the same Kysely app on libSQL through jest.mock, and currentLayer("kysely")', async () => {
  const scratch = makeScratch()
  const appDb = path.join(scratch, 'app.db')
  const run = await runJest('jest-kysely-libsql', { scratch, env: { APP_DB_URL: `file:${appDb}` } })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
    [
      // tests/concurrent.test.ts, then the other file
      ...[1, 2, 3, 4, 5].map((i) => `concurrent Kysely-on-libSQL test ${i} sees only its own rows`),
      'a transaction, then a query again: the tables are still there',
      'the next test starts clean',
      'currentLayer("kysely") and currentDb() are on the same database as the app',
      "BigInt and blob values come back as Kysely on the real client returns them on a plain file, in Jest's sandbox too",
    ].map((name) => [name, 'passed', []]),
  )
  expect(fs.existsSync(appDb)).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
  // Its migrations are the layer's, with no global setup to take them: the run's first worker
  // says so, once, naming the way that builds them once per run.
  expect(run.output.match(/sqlite-fixtures: the Kysely migrations in \S+ are applied in the test workers/g)).toHaveLength(1)
})
