import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/sqlite3-app')
/** Where the app's `new sqlite3.Database(process.env.APP_DB ?? 'app.db')` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(repoRoot, 'app.db')]
const concurrent = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus', 'Radia']
/** tests/import-time.test.ts, in both samples: a call made at import is kept, a write no test made once the tests started is refused. */
const importTime = [
  'a write from a job the app started at import is refused, before the tests start as after',
  "no later test sees the job's row, and the setting made at import holds in every test",
]
const failing = [
  'fails on purpose: its report shows the statements node-sqlite3 ran, with their values',
  'fails on purpose: a foreign key broken through node-sqlite3 fails the test at teardown',
  'fails on purpose: the next test runs the statement the first test prepared',
]

describe('a raw node-sqlite3 app on testSqlite3Database()', () => {
  test('runs on a fresh database per test through its own db module, mocked in the setup file; failures, late work and the integrity check as with every driver', async () => {
    const run = await runFixture('sqlite3-app')
    expect(run.tests.filter((t) => t.state !== 'passed' && !failing.includes(t.name)).map((t) => [t.name, t.errors])).toEqual([])
    expect(run.tests.map((t) => t.name).sort()).toEqual(
      [
        "app code on its own node-sqlite3 database runs on each test's database > a test opens an account in a transaction",
        "app code on its own node-sqlite3 database runs on each test's database > the next test starts clean",
        'ctx.db sees what node-sqlite3 wrote, and node-sqlite3 sees what ctx.db wrote',
        'a foreign key error, and a failed transaction rolled back, leave nothing behind',
        'values, lastID, changes and errors come back as node-sqlite3 returns them on a plain file',
        'exec, a prepared statement with bound values, each, serialize and parallelize run on the test database',
        "trace and change events report the test's own statements and rows",
        "closing the app's database is an outage for the test that closed it, and no other > the health check answers 503 once the test closes the database",
        "closing the app's database is an outage for the test that closed it, and no other > the next test has a working database again",
        "closing the app's database is an outage for the test that closed it, and no other > close() with a statement left unfinalized fails as node-sqlite3's does on a plain file, and the database stays open",
        "closing the app's database is an outage for the test that closed it, and no other > close() twice answers as node-sqlite3's does on a plain file: the second, and a third, SQLITE_MISUSE",
        ...importTime,
        'a test tagged no-db has no database, and node-sqlite3 says so',
        ...concurrent.map((name) => `concurrent node-sqlite3 test ${name}`),
        "a describe block's beforeAll writes through the app's node-sqlite3 database > each test starts from the block data",
        "a describe block's beforeAll writes through the app's node-sqlite3 database > and not from what a sibling test wrote",
        'a test outside the block sees none of its data',
        'a test leaves a timer that writes after it ends, and a query it does not wait for',
        'the late write is refused, and this test sees an empty table',
        'a test prepares a statement on first use and keeps it in the module',
        ...failing,
      ].sort(),
    )
    // The failure report lists what node-sqlite3 ran, its bound values shown; the plugin's own statements are not in it.
    const report = run.test(failing[0] as string).errors.join('\n')
    expect(report).toContain(
      [
        'the 6 statements it ran, oldest first:',
        '    1. begin',
        "    2. insert into customers (name) values (?) /* args: 'Ada' */",
        '    3. insert into orders (customer_id, total_cents) values ((select max(id) from customers), ?) /* args: 1234 */',
        '    4. select 1',
        '    5. commit',
        '    6. select count(*) as n from orders',
      ].join('\n'),
    )
    const broken = run.test(failing[1] as string)
    expect(broken.state).toBe('failed')
    expect(broken.errors.join('\n')).toMatch(/orders rowid 1: customer_id = 42 has no match in customers\(id\)/)
    // A statement one test prepared and the next ran: the refusal names both and fails the
    // second; the first, which left nothing running, is not charged with late work (below).
    expect(run.test(failing[2] as string).errors.join('\n')).toContain(
      'sqlite-fixtures: a node-sqlite3 statement prepared in test "a test prepares a statement on first use and keeps it in the module" ' +
        'was used by test "fails on purpose: the next test runs the statement the first test prepared". It was refused',
    )
    // The late write and the late callback are refused, each reported with the test that left them running.
    const owner = 'test "a test leaves a timer that writes after it ends, and a query it does not wait for" has ended'
    expect(run.errors.sort()).toEqual([
      expect.stringContaining(`${owner}, but node-sqlite3 answered work it left running (a query it did not wait for) only after that. The answer was refused`),
      expect.stringContaining(`${owner}, but work it left running (a timer, an unawaited promise, code that went on after a timeout, a server it started) reached for its database. It was refused`),
    ])
    // The app's production file was never opened, so never created; every test database file is gone.
    for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])
  })

  test('Jest: the same app through jest.mock in the setup file, and its file is never opened', async () => {
    const scratch = makeScratch()
    const appDb = path.join(scratch, 'app.db')
    const run = await runJest('jest-sqlite3', { scratch, env: { APP_DB: appDb } })
    expect(run.errors).toEqual([])
    expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
      [
        // tests/concurrent.test.ts, import-time.test.ts, then orders.test.ts
        ...concurrent.slice(0, 5).map((name) => `concurrent node-sqlite3 test ${name}`),
        ...importTime,
        'a test opens an account in a transaction',
        'the next test starts clean',
        'currentDb() sees what node-sqlite3 wrote, and the other way round',
        'a foreign key error, and a failed transaction rolled back, leave nothing behind',
        "values, lastID, changes and errors come back as node-sqlite3 returns them on a plain file, in Jest's sandbox too",
        "close() with a statement left unfinalized fails as node-sqlite3's does on a plain file",
        "close() twice answers as node-sqlite3's does on a plain file: the second, and a third, SQLITE_MISUSE",
        'closing the database is an outage for this test only',
        'and the next test has a working database',
        'deriveTemplate() through the app database starts from the block data',
      ].map((name) => [name, 'passed', []]),
    )
    expect(fs.existsSync(appDb)).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})
