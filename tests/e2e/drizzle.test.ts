import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/drizzle-app')
/** Where the app's `new Database(process.env.APP_DB ?? 'app.db')` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(process.cwd(), 'app.db'), path.join(repoRoot, 'app.db')]

test('a Drizzle app runs on a fresh database per test, through its own db module replaced in the setup file', async () => {
  const run = await runFixture('drizzle-app')
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      "the app's db module is the setup file's, over the test-following handle",
      'app code on the singleton db writes to the running test database > a test registers customers and places orders',
      'app code on the singleton db writes to the running test database > the next test starts clean',
      'a foreign key violation raises through Drizzle, and writes nothing',
      'db.transaction commits both writes, or neither',
      'a query the app prepared at import time runs on each test database > in one test',
      'a query the app prepared at import time runs on each test database > and in the next, which does not see the row of the one before',
      'ctx.drizzle is on the same database as the app',
      "the schema came from the app's Drizzle migrations, applied once on the template",
      ...Array.from({ length: 10 }, (_, i) => `concurrent test ${i + 1} sees only its own rows`),
      'a data migration fills the new column for the rows it finds',
      'an unknown migration name is refused, naming the pending ones',
      'context mode gives the Drizzle database the test destructures',
      'and the next test starts clean',
    ].sort(),
  )
  // The app's production file was never opened, so never created.
  for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('control: without the seam, the same app opens its own file, and its tests fail', async () => {
  const dir = makeScratch()
  const appDb = path.join(dir, 'control.db')
  const run = await runFixture('drizzle-app', {
    scratch: dir,
    files: ['tests/orders.test.ts'],
    env: { DRIZZLE_SAMPLE_SEAM: 'off', APP_DB: appDb },
  })
  // The module-level prepared query meets the app's empty file: the test file fails to load.
  expect(run.errors.join('\n')).toMatch(/no such table: customers/)
  expect(fs.existsSync(appDb)).toBe(true)
})

test('Jest: the same app through jest.mock in the setup file, and currentLayer("drizzle")', async () => {
  const run = await runJest('jest-drizzle')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
    [
      "the app's db module is the one jest.mock gave in the setup file",
      'app code on the singleton db writes to the test database',
      'the next test sees none of it',
      'foreign keys are enforced through Drizzle',
      'a query the app prepared at import runs on this test database',
      'currentLayer("drizzle") is a Drizzle database on the test database',
      'migrator() runs under Jest too',
    ].map((name) => [name, 'passed', []]),
  )
  for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
  expect(leftovers(run.tmpDir).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})
