import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch } from '../support/run-vitest.js'

const expectedFailures = ['fails after using the database', 'times out while using the database']

describe.each(['memory', 'file'] as const)('Jest, %s mode', (mode) => {
  test('fresh database per test, foreign keys, opt-out by marker and docblock, teardown after failures, 2 workers', async () => {
    const run = await runJest('jest-basic', {
      args: ['--maxWorkers=2', '--testPathIgnorePatterns', 'opt-in', 'concurrent', 'derive'],
      env: { SAMPLE_MODE: mode },
    })
    expect(run.errors).toEqual([])
    expect(run.tests.map((t) => t.name).sort()).toEqual(
      [
        'writes a row', 'does not see the row of the test before', 'is seeded, and enforces foreign keys',
        'in file mode, DATABASE_URL names the test database', 'a user layer and the broker sit on the same database',
        'parsing [no-db] a describe block marked [no-db] gives its tests no database', 'a test marked [no-db] has none either',
        'a file whose docblock opts out gets no database', 'a CommonJS consumer loads the CommonJS build',
        ...expectedFailures, 'the next test starts clean',
      ].sort(),
    )
    for (const t of run.tests) expect([t.name, t.state]).toEqual([t.name, expectedFailures.includes(t.name) ? 'failed' : 'passed'])
    expect(run.test('times out while using the database').errors[0]).toMatch(/Exceeded timeout of 200 ms/)
    // The layer over db was torn down after each failure, and no file was left behind.
    expect(run.events.filter((line) => line.includes('times out'))).toEqual([
      'setup probe times out while using the database',
      'teardown probe times out while using the database',
    ])
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})

test("Jest: deriveTemplate() sets up a file's or a describe block's data once, each test still isolated", async () => {
  const run = await runJest('jest-basic', { args: ['derive'] })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual([
    ['deriveTemplate() at the top of a file: every test starts from its data', 'passed', []],
    ['a describe block with deriveTemplate() each test starts from the block data', 'passed', []],
    ['a describe block with deriveTemplate() and not from what a sibling test wrote', 'passed', []],
    ["a describe block with deriveTemplate() nested starts from its parent's data", 'passed', []],
    ['a sibling block does not see the data of the block beside it', 'passed', []],
    ['a plain beforeAll cannot reach a database in Jest, and the error names deriveTemplate()', 'passed', []],
  ])
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Jest with globalSetup(): the template is built once in the main process, and workers only read it', async () => {
  const scratch = makeScratch()
  const verboseLog = path.join(scratch, 'verbose.log')
  const run = await runJest('jest-basic', {
    scratch,
    args: ['--maxWorkers=2', 'isolation', 'derive'],
    env: { SAMPLE_GLOBAL_SETUP: '1', SQLITE_FIXTURES_VERBOSE: verboseLog, SAMPLE_OLD_NAME: '1' },
  })
  expect(run.tests.filter((t) => t.state !== 'passed')).toEqual([])
  // The setup file's deprecated useSqliteFixtures(), seen by both workers, is said once, by
  // Jest's main process as it exits: after Jest's summary.
  const notice = "useSqliteFixtures() is deprecated: call configureSqliteFixtures() from 'sqlite-fixtures/jest' instead"
  expect(run.output.split(notice)).toHaveLength(2)
  expect(run.output.indexOf(notice)).toBeGreaterThan(run.output.indexOf('Test Suites:'))
  const lines = fs.readFileSync(verboseLog, 'utf8').split('\n').filter((line) => line.includes('template'))
  expect(lines).toEqual([expect.stringMatching(/template built: /)])
})

test('Jest with auto: false: only tests marked [db] get a database', async () => {
  const run = await runJest('jest-basic', { args: ['opt-in'], env: { SAMPLE_AUTO: 'false' } })
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ['with auto false, an unmarked test has no database', 'passed'],
    ['with auto false, a test marked [db] has one', 'passed'],
  ])
})

test('Jest with the TypeORM layer: the app singleton on each test database, foreign keys through the ORM', async () => {
  const run = await runJest('jest-typeorm')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ['app code on the singleton DataSource writes to the test database', 'passed'],
    ['the next test sees none of it', 'passed'],
    ['foreign keys are enforced through the ORM', 'passed'],
    ['currentLayer("dataSource") is the app DataSource', 'passed'],
  ])
  expect(leftovers(run.tmpDir).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})

test("Jest with the seam: jest.mock in the setup file puts the app's own db module on each test database, and its file is never opened", async () => {
  const scratch = makeScratch()
  const appDb = path.join(scratch, 'app.db')
  const run = await runJest('jest-raw-app', { scratch, env: { APP_DB: appDb } })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual([
    ['app code on its own db module writes to the test database', 'passed', []],
    ['the next test starts clean', 'passed', []],
    ['foreign keys are enforced, and an import-time transaction rolls back on the test database', 'passed', []],
    ["the app's db is the test-following handle", 'passed', []],
  ])
  expect(fs.existsSync(appDb)).toBe(false)
  expect(leftovers(run.tmpDir).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})

test("Jest's test.concurrent tests, which run outside the hooks, each get their own database, in every form", async () => {
  const run = await runJest('jest-basic', { args: ['concurrent'] })
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
    ['concurrent a', 'concurrent b', 'concurrent.each c', 'concurrent.each d', 'concurrent.failing sees no other test'].map((name) => [name, 'passed', []]),
  )
  expect(leftovers(run.tmpDir)).toEqual([])
})
