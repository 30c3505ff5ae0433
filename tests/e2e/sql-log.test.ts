import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { stripVTControlCharacters } from 'node:util'
import { describe, expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture, type InnerRun } from '../support/run-vitest.js'

const run = promisify(execFile)

/** The report the plugin added to a failed test: its error that starts with the report's heading. */
function reportOf(inner: InnerRun, name: string): string {
  const report = inner.test(name).errors.find((error) => error.includes(`about the database of "${name}"`))
  if (report === undefined) throw new Error(`test "${name}" has no report; its errors: ${inner.test(name).errors.join('\n---\n')}`)
  return report
}

describe('a failed test shows the statements of its own database', () => {
  test('with their parameters, from raw calls and the broker, and none of another test; a passing test shows nothing', async () => {
    const inner = await runFixture('sql-log', { files: ['tests/report.test.ts'] })
    expect(inner.errors).toEqual([])
    const own = reportOf(inner, 'fails after writing its own rows')
    expect(inner.test('fails after writing its own rows').errors[0]).toBe('expected 1 to be 2 // Object.is equality')
    expect(own).toContain("the 7 statements it ran, oldest first:\n    1. insert into customers (name) values ('ada-own-row')\n")
    expect(own).toContain("2. insert into orders (customer_id, note) values (2.0, 'order-of-the-failing-test')")
    expect(own).toMatch(/6\. insert into fixtures_broker_messages .* values \('audit\.logged', '\{"marker":"own-message"\}'/)
    expect(own).toContain('7. select count(*) from orders')
    expect(own).not.toContain('grace-other-row')
    expect(own).not.toContain('customer 1')

    expect(inner.test('passes after writing other rows')).toMatchObject({ state: 'passed', errors: [] })
    expect(inner.logs).toEqual([])

    // A ring of the last 50: the oldest statements are dropped, and the count says so.
    const many = reportOf(inner, 'fails after more statements than the log keeps')
    expect(many).toContain('the last 50 of the 60 statements it ran, oldest first:\n    11. ')
    expect(many).toContain("60. insert into customers (name) values ('customer 60')")
    expect(many).not.toContain("'customer 10'")

    // Long parameters are cut (by SQLite's expansion), and so are long literals in the SQL text.
    const long = reportOf(inner, 'fails after a long parameter')
    expect(long).toMatch(/values \('long-x+'\/\*\+\d+ bytes\*\/\)/)
    expect(long).toMatch(/values \('literal-y{32}…' \(5008 chars\)\)/)
    expect(long.length).toBeLessThan(1_000)
  })

  test('test.concurrent tests each show only their own statements', async () => {
    const inner = await runFixture('sql-log', { files: ['tests/concurrent.test.ts'] })
    for (const [name, other] of [['alpha', 'beta'], ['beta', 'alpha']]) {
      const report = reportOf(inner, `concurrent test ${name} fails`)
      expect(report).toContain(`1. insert into customers (name) values ('${name}-first')`)
      expect(report).toContain(`2. insert into customers (name) values ('${name}-second')`)
      expect(report).not.toContain(other)
    }
  })

  test("option sqlLog sets how many are shown; with keep: 'failed' (file mode) the report says where the database was kept", async () => {
    const inner = await runFixture('sql-log', {
      files: ['tests/report.test.ts'],
      env: { SAMPLE_MODE: 'file', SAMPLE_SQL_LOG_SIZE: '5', SQLITE_FIXTURES_KEEP: 'failed' },
    })
    const many = reportOf(inner, 'fails after more statements than the log keeps')
    expect(many).toContain('the last 5 of the 60 statements it ran, oldest first:\n    56. ')
    const kept = /kept its database: (\S+)\n {2}open it with: sqlite3 \1/.exec(many)?.[1]
    expect(kept?.startsWith(inner.tmpDir)).toBe(true)
    expect(fs.existsSync(kept as string)).toBe(true)
    // The path is in the report only: nothing is printed apart from it.
    expect(inner.logs).toEqual([])
    expect(leftovers(inner.tmpDir).filter((name) => name.endsWith('.sqlite'))).toHaveLength(3)
  })

  test('with sqlLog and integrity false, a failed test has its own error only, and nothing is checked', async () => {
    const inner = await runFixture('sql-log', {
      files: ['tests/report.test.ts', 'tests/integrity.test.ts'],
      env: { SAMPLE_SQL_LOG: 'false', SAMPLE_INTEGRITY: 'false' },
    })
    expect(inner.test('fails after writing its own rows').errors).toEqual(['expected 1 to be 2 // Object.is equality'])
    expect(inner.test('a write with foreign keys off passes, then fails at teardown').state).toBe('passed')
  })

  test("TypeORM's statements are in the report too, and expectQueries counts them", async () => {
    const inner = await runFixture('sql-log-typeorm')
    expect(inner.errors).toEqual([])
    const report = reportOf(inner, 'a failing TypeORM test shows the statements TypeORM ran')
    expect(report).toContain(`INSERT INTO "customers"("id", "name", "email") VALUES (NULL, 'Ada', 'ada@example.com')`)
    expect(report).toContain(`INSERT INTO "orders"("id", "total_cents", "customer_id") VALUES (NULL, 1234, 1)`)
    expect(inner.test('expectQueries sees TypeORM statements').state).toBe('passed')
  })

  test.each([
    [
      'drizzle-app',
      'a failing Drizzle test shows the statements Drizzle ran',
      [
        `1. insert into "customers" ("id", "name", "email") values (null, 'Ada', '') returning "id"`,
        // better-sqlite3 binds JavaScript numbers as doubles, and SQLite prints them so.
        `2. insert into "orders" ("id", "customer_id", "total_cents") values (null, 1.0, 1234.0)`,
      ],
    ],
    [
      'kysely-app',
      'a failing Kysely test shows the statements Kysely ran',
      [
        `1. insert into "customers" ("name", "email") values ('Ada', 'ada@example.com') returning *`,
        `2. insert into "orders" ("customer_id", "total_cents") values (1.0, 1234.0) returning "id"`,
      ],
    ],
  ])("%s: the ORM's statements are in the report too", async (project, name, statements) => {
    const inner = await runFixture(project, { config: { include: ['tests/report.check.ts'] } })
    expect(inner.errors).toEqual([])
    const report = reportOf(inner, name)
    for (const statement of statements) expect(report).toContain(statement)
  })

  test("Vitest's default reporter prints the report under the failed test", async () => {
    const scratch = makeScratch()
    const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs')
    const result = await run(process.execPath, [vitest, 'run', 'tests/report.test.ts', '-t', 'own rows'], {
      cwd: path.join(repoRoot, 'fixtures/sql-log'),
      env: { ...process.env, TMPDIR: path.join(scratch, 'tmp'), SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'cache'), CI: '1' },
    }).catch((error: { code?: number; stdout: string; stderr: string }) => error)
    const output = stripVTControlCharacters(`${result.stdout}\n${result.stderr}`)
    expect(output).toContain('FAIL  tests/report.test.ts > fails after writing its own rows\nTestDatabaseReport: sqlite-fixtures: about the database of')
    expect(output).toContain("1. insert into customers (name) values ('ada-own-row')")
    expect(output).not.toContain('grace-other-row')
  })
})

describe('expectQueries and captureQueries', () => {
  test('pass and fail as written, and a failure lists the statements', async () => {
    const inner = await runFixture('sql-log', { files: ['tests/queries.test.ts'] })
    expect(inner.tests.map((t) => [t.name, t.state])).toEqual([
      ['expectQueries passes when the block runs as many statements as expected, and returns its value', 'passed'],
      ['expectQueries awaits an async block', 'passed'],
      ['expectQueries fails on a wrong count, listing the statements', 'failed'],
      ['the N+1 guard fails on a statement that matches', 'failed'],
      ['the N+1 guard passes on the joined query', 'passed'],
      ['captureQueries hands back the statements for assertions of your own', 'passed'],
    ])
    expect(inner.test('expectQueries fails on a wrong count, listing the statements').errors[0]).toBe(
      'sqlite-fixtures: expected the block to run 1 statement, but it ran 3:\n' +
        '    1. select id, customer_id from orders order by id\n' +
        '    2. select name from customers where id = 1.0\n' +
        '    3. select name from customers where id = 1.0',
    )
    expect(inner.test('the N+1 guard fails on a statement that matches').errors[0]).toBe(
      "sqlite-fixtures: expected no statement matching /from customers where id = /i, but 2 of the block's 3 did (marked >):\n" +
        '    1. select id, customer_id from orders order by id\n' +
        '  > 2. select name from customers where id = 1.0\n' +
        '  > 3. select name from customers where id = 1.0',
    )
  })
})

describe('integrity at teardown', () => {
  test('a write made with foreign keys off fails its passing test, naming the table, the row and the parent', async () => {
    const inner = await runFixture('sql-log', { files: ['tests/integrity.test.ts'] })
    const failed = inner.test('a write with foreign keys off passes, then fails at teardown')
    expect(failed.state).toBe('failed')
    expect(failed.errors).toHaveLength(1)
    expect(failed.errors[0]).toContain(
      'test "a write with foreign keys off passes, then fails at teardown" passed, but left its database inconsistent:\n' +
        '1 row(s) break a foreign key (PRAGMA foreign_key_check):\n' +
        '  orders rowid 1: customer_id = 42 has no match in customers(id)\n',
    )
    expect(failed.errors[0]).toContain("2. insert into orders (customer_id, note) values (42.0, 'orphan')")
    // In a fresh clone, a deferred violation cannot be committed: SQLite refuses the COMMIT itself.
    expect(inner.test('a deferred violation committed inside the test passes, then fails at teardown').errors[0]).toBe('FOREIGN KEY constraint failed')
    expect(inner.test('a test that keeps its keys intact passes')).toMatchObject({ state: 'passed', errors: [] })
  })

  test("a deferred violation committed inside a test (isolation 'savepoint', where nothing checks it) fails it at teardown", async () => {
    const inner = await runFixture('sql-log', { files: ['tests/integrity.test.ts'], env: { SAMPLE_ISOLATION: 'savepoint' } })
    const failed = inner.test('a deferred violation committed inside the test passes, then fails at teardown')
    expect(failed.state).toBe('failed')
    expect(failed.errors[0]).toMatch(/^sqlite-fixtures: test ".*" passed, but left its database inconsistent:\n/)
    expect(failed.errors[0]).toMatch(/\n {2}orders rowid \d+: customer_id = 77 has no match in customers\(id\)\n/)
    // Under a savepoint, PRAGMA foreign_keys = OFF is a no-op: SQLite refuses the write at once.
    expect(inner.test('a write with foreign keys off passes, then fails at teardown').errors[0]).toBe('FOREIGN KEY constraint failed')
    expect(inner.test('a test that keeps its keys intact passes').state).toBe('passed')
  })
})

test('Jest: the report, the integrity check and expectQueries', async () => {
  const inner = await runJest('jest-sql-log')
  expect(inner.errors).toEqual([])
  // tests/queries.test.ts, then tests/report.test.ts
  expect(inner.tests.map((t) => [t.name, t.state])).toEqual([
    ['expectQueries passes and returns the value of the block', 'passed'],
    ['expectQueries fails on a wrong count, listing the statements', 'failed'],
    ['the N+1 guard fails on a statement that matches', 'failed'],
    ['fails after writing its own rows', 'failed'],
    ['passes after writing other rows', 'passed'],
    ['a write with foreign keys off passes, then fails at teardown', 'failed'],
  ])
  const own = inner.test('fails after writing its own rows').errors
  expect(own[0]).toMatch(/expect\(received\)\.toBe\(expected\)/)
  expect(own[1]).toContain("1. insert into customers (name) values ('ada-own-row')")
  expect(own[1]).toContain("2. insert into orders (customer_id, note) values (2.0, 'order-of-the-failing-test')")
  expect(own.join('\n')).not.toContain('grace-other-row')
  expect(inner.test('passes after writing other rows').errors).toEqual([])
  expect(inner.test('a write with foreign keys off passes, then fails at teardown').errors[0]).toContain(
    'orders rowid 1: customer_id = 42 has no match in customers(id)',
  )
  expect(inner.test('expectQueries fails on a wrong count, listing the statements').errors[0]).toContain(
    'expected the block to run 1 statement, but it ran 2:\n    1. select name from customers where id = 1.0\n    2. select name from customers where id = 2.0',
  )
  expect(inner.test('the N+1 guard fails on a statement that matches').errors[0]).toContain(
    'expected no statement matching "where id =", but 1 of the block\'s 1 did (marked >):\n  > 1. select name from customers where id = 3.0',
  )
})
