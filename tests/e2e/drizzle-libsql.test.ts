import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/drizzle-libsql-app')
/** Where the app's `createClient({ url: process.env.APP_DB_URL ?? 'file:app.db' })` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(repoRoot, 'app.db')]

test('a Drizzle app on libSQL runs on a fresh database per test, its migrations applied once as Drizzle applies them', async () => {
  const run = await runFixture('drizzle-libsql-app')
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      "app code on its own Drizzle db runs on each test's database > an interactive transaction, then a query again: the tables are still there",
      "app code on its own Drizzle db runs on each test's database > the next test starts clean",
      'ctx.drizzle and ctx.db are on the same database as the app',
      'a foreign key violation raises through Drizzle, and a failed transaction writes nothing',
      'BigInt and blob values come back as Drizzle on the real client returns them on a plain file',
      'app code stores and reads a blob and a BigInt',
      "the template holds what Drizzle's libSQL migrator writes: the same schema and __drizzle_migrations rows",
      ...Array.from({ length: 10 }, (_, i) => `concurrent Drizzle-on-libSQL test ${i + 1} sees only its own rows`),
    ].sort(),
  )
  for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Jest: the same Drizzle app on libSQL through jest.mock, and currentLayer("drizzle")', async () => {
  const scratch = makeScratch()
  const appDb = path.join(scratch, 'app.db')
  const run = await runJest('jest-drizzle-libsql', { scratch, env: { APP_DB_URL: `file:${appDb}` } })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
    [
      // tests/concurrent.test.ts, then the other file
      ...[1, 2, 3, 4, 5].map((i) => `concurrent Drizzle-on-libSQL test ${i} sees only its own rows`),
      'an interactive transaction, then a query again: the tables are still there',
      'the next test starts clean',
      'currentLayer("drizzle") and currentDb() are on the same database as the app',
      "BigInt and blob values come back as Drizzle on the real client returns them on a plain file, in Jest's sandbox too",
      'app code stores and reads a blob and a BigInt',
    ].map((name) => [name, 'passed', []]),
  )
  expect(fs.existsSync(appDb)).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})
