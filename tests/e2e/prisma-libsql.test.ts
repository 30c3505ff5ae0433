import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/prisma-libsql-app')
/** Where the app's `new PrismaLibSql({ url: process.env.APP_DB_URL ?? 'file:app.db' })` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(repoRoot, 'app.db')]

test('a Prisma app on libSQL runs on a fresh database per test, through its own client on testPrismaAdapter()', async () => {
  const run = await runFixture('prisma-libsql-app')
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      "app code on its own PrismaClient runs on each test's database > an interactive $transaction, then a query again: the tables are still there",
      "app code on its own PrismaClient runs on each test's database > the next test starts clean",
      'ctx.prisma is the app client, and ctx.db is on the same database',
      'a foreign key violation is a Prisma error, and a failed $transaction writes nothing',
      'BigInt and Bytes values come back as Prisma on its own libSQL adapter returns them on a plain file',
      ...Array.from({ length: 10 }, (_, i) => `concurrent Prisma-on-libSQL test ${i + 1} sees only its own rows`),
    ].sort(),
  )
  for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Jest: the same Prisma app on libSQL through jest.mock, and currentLayer("prisma")', async () => {
  const scratch = makeScratch()
  const appDb = path.join(scratch, 'app.db')
  const run = await runJest('jest-prisma-libsql', { scratch, env: { APP_DB_URL: `file:${appDb}` } })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
    [
      // tests/concurrent.test.ts, then the other file
      ...[1, 2, 3, 4, 5].map((i) => `concurrent Prisma-on-libSQL test ${i} sees only its own rows`),
      'an interactive $transaction, then a query again: the tables are still there',
      'the next test starts clean',
      'currentLayer("prisma") and currentDb() are on the same database as the app',
      "BigInt and Bytes values come back as Prisma on its own libSQL adapter returns them on a plain file, in Jest's sandbox too",
    ].map((name) => [name, 'passed', []]),
  )
  expect(fs.existsSync(appDb)).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})
