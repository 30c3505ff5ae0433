import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, repoRoot, runFixture } from '../support/run-vitest.js'

const sample = path.join(repoRoot, 'fixtures/prisma-app')

/** The sample's own files, without its generated client and caches: a test run must add none (no app.db). */
const projectFiles = () =>
  fs
    .readdirSync(sample, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.startsWith('src/generated') && !name.startsWith('node_modules'))
    .sort()

beforeAll(() => {
  // The client is generated, not committed; a no-op when it is up to date.
  execFileSync(process.execPath, [path.join(sample, 'generate.mjs')], { stdio: 'ignore' })
})

test('a Prisma 7 project runs on a fresh database per test, through its own singleton client', async () => {
  const before = projectFiles()
  const run = await runFixture('prisma-app')
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      'app code on the mocked client sees each test its own database > a test registers a customer and places an order',
      'app code on the mocked client sees each test its own database > the next test sees none of it',
      'foreign keys are enforced through Prisma',
      'an interactive transaction that throws leaves nothing behind',
      'transactions commit in the test and are gone with its database > an interactive and a batch transaction commit',
      'transactions commit in the test and are gone with its database > and the next test starts without them',
      'Prisma and ctx.db are one database',
      'the schema came from both migrations, applied once on the template',
      ...Array.from({ length: 10 }, (_, i) => `concurrent Prisma test ${i + 1} sees only its own rows`),
      "values written and read match Prisma's own adapter, side by side (iso8601)",
      "values written and read match Prisma's own adapter, side by side (unixepoch-ms)",
      "prismaLayer refuses a client on Prisma's own adapter, whose queries would reach the app's file",
      'context mode: the fixture is the app client, on the test database',
      'context mode: and the next test starts clean',
    ].sort(),
  )
  // The app's production database was never opened or created, and nothing was left behind.
  expect(projectFiles()).toEqual(before)
  expect(fs.existsSync(path.join(sample, 'app.db'))).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Jest: the same app through jest.mock, and currentLayer("prisma")', async () => {
  const run = await runJest('jest-prisma')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ['app code on the mocked client writes to the test database', 'passed'],
    ['the next test sees none of it', 'passed'],
    ['an interactive transaction that throws leaves nothing behind', 'passed'],
    ['foreign keys are enforced through Prisma', 'passed'],
    ['currentLayer("prisma") is the app client', 'passed'],
  ])
  expect(fs.existsSync(path.join(sample, 'app.db'))).toBe(false)
  expect(leftovers(run.tmpDir).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})
