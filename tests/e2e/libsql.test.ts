import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/libsql-app')
/** Where the app's `createClient({ url: process.env.APP_DB_URL ?? 'file:app.db' })` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(repoRoot, 'app.db')]

describe('a raw libSQL app on testLibsqlClient()', () => {
  test('runs on a fresh database per test, in memory mode, through its own db module replaced in the setup file', async () => {
    const run = await runFixture('libsql-app', { files: ['tests/orders.test.ts', 'tests/concurrent.test.ts', 'tests/derived.test.ts'] })
    expect(run.errors).toEqual([])
    expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
    expect(run.tests.map((t) => t.name).sort()).toEqual(
      [
        "app code on its own libSQL client runs on each test's database > an interactive transaction, then a query again: the tables are still there",
        "app code on its own libSQL client runs on each test's database > the next test starts clean",
        'ctx.db sees what the libSQL client wrote, and the client sees what ctx.db wrote',
        'foreign keys are enforced, and a failed transaction writes nothing',
        'batch, executeMultiple, migrate and the transaction modes run on the test database',
        'BigInt and blob values come back as the real client returns them on a plain file',
        'app code stores and reads a blob and a BigInt through the test database',
        "closing the app's client is an outage for the test that closed it, and no other > the health check answers 503 once the test closes the client",
        "closing the app's client is an outage for the test that closed it, and no other > the next test has a working client again",
        'a test tagged no-db has no database, and the client says so',
        ...['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus', 'Radia'].map((name) => `concurrent libSQL test ${name}`),
        "a describe block's beforeAll writes through the app's client > each test starts from the block data",
        "a describe block's beforeAll writes through the app's client > and not from what a sibling test wrote",
        'a test outside the block sees none of its data',
      ].sort(),
    )
    // The app's production file was never opened, so never created; every test database file is gone.
    for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])
  })

  test('control: the usual :memory: client of @libsql/client 0.17 loses every table at the first transaction', async () => {
    const run = await runFixture('libsql-app', { files: ['tests/orders.test.ts'], env: { LIBSQL_SAMPLE_SEAM: 'memory' } })
    const trap = run.test("app code on its own libSQL client runs on each test's database > an interactive transaction, then a query again: the tables are still there")
    expect(trap.state).toBe('failed')
    expect(trap.errors[0]).toMatch(/no such table: customers/)
  })

  test("a failing test's report shows the libSQL client's statements, and a foreign key it broke fails the test", async () => {
    const run = await runFixture('libsql-app', { config: { include: ['tests/failures.check.ts'] } })
    expect(run.errors).toEqual([])
    const report = run.test("a failing test's report shows the statements the libSQL client ran").errors.join('\n')
    // The statements as libSQL ran them: its interactive transaction, then its batch's own transaction.
    const statements = [
      'BEGIN IMMEDIATE',
      "insert into customers (name) values (?) returning id /* args: 'Ada' */",
      'insert into orders (customer_id, total_cents) values (?, ?) /* args: 1, 1234 */',
      'COMMIT',
      'BEGIN IMMEDIATE',
      'insert into orders (customer_id, total_cents) values (?, ?) /* args: 1, 500 */',
      'COMMIT',
      'select count(*) as n from orders',
    ]
    let from = 0
    for (const statement of statements) {
      from = report.indexOf(statement, from)
      expect(from, `${statement}, in order, in:\n${report}`).toBeGreaterThanOrEqual(0)
    }
    const broken = run.test('a foreign key broken through the libSQL client fails the test at teardown')
    expect(broken.state).toBe('failed')
    expect(broken.errors.join('\n')).toMatch(/orders rowid 1: customer_id = 42 has no match in customers\(id\)/)
    expect(leftovers(run.tmpDir)).toEqual([])
  })

  test('a write a test left running is refused after the test ended, and the next test sees an empty table', async () => {
    const run = await runFixture('libsql-app', { files: ['tests/late-work.test.ts'] })
    expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual([
      ['a test leaves a timer that writes after it ends', 'passed', []],
      ['the late write is refused, and this test sees an empty table', 'passed', []],
    ])
    // The refusal is reported with the run, naming the test that left the work running.
    expect(run.errors).toEqual([expect.stringMatching(/test "a test leaves a timer that writes after it ends" has ended, but work it left running .* It was refused: nothing was written/)])
    expect(leftovers(run.tmpDir)).toEqual([])
  })

  test("Jest: the same app through jest.mock in the setup file, and its file is never opened", async () => {
    const scratch = makeScratch()
    const appDb = path.join(scratch, 'app.db')
    const run = await runJest('jest-libsql', { scratch, env: { APP_DB_URL: `file:${appDb}` } })
    expect(run.errors).toEqual([])
    expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
      [
        // tests/concurrent.test.ts, then orders.test.ts
        ...['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald'].map((name) => `concurrent libSQL test ${name}`),
        'an interactive transaction, then a query again: the tables are still there',
        'the next test starts clean',
        'currentDb() sees what the libSQL client wrote, and the other way round',
        'foreign keys are enforced, and a failed transaction writes nothing',
        "BigInt and blob values come back as the real client returns them on a plain file, in Jest's sandbox too",
        'app code stores and reads a blob and a BigInt through the test database',
        'closing the client is an outage for this test only',
        'and the next test has a working client',
        'deriveTemplate() through the app client starts from the block data',
      ].map((name) => [name, 'passed', []]),
    )
    expect(fs.existsSync(appDb)).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})
