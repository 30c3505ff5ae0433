import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { resolveOptions, type SqliteFixturesOptions } from '../../src/core/base/options.js'
import { captureQueries, expectQueries } from '../../src/core/access/query-assertions.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import { shortenStatement } from '../../src/core/base/sql-format.js'
import { statementLogOf } from '../../src/core/diagnostics/sql-log.js'

let root: string
const runtimes: FixtureRuntime[] = []

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-sql-log-'))
  fs.writeFileSync(path.join(root, 'schema.sql'), 'create table t (id integer primary key, name text);')
  return () => fs.rmSync(root, { recursive: true, force: true })
})

afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.close()
})

async function runtimeWith(options: SqliteFixturesOptions = {}): Promise<FixtureRuntime> {
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: root, schema: 'schema.sql', cacheDir: 'cache', ...options }))
  runtimes.push(runtime)
  await runtime.prepare()
  return runtime
}

describe('the statement log', () => {
  test("holds the test's statements only, not the plugin's own pragmas", async () => {
    const scope = (await runtimeWith()).openScope('t')
    const db = scope.get('db')
    db.prepare('insert into t (name) values (?)').run('Ada')
    expect(statementLogOf(db)?.recent()).toEqual({ statements: ["insert into t (name) values ('Ada')"], total: 1 })
    await scope.dispose()
  })

  test("under isolation 'savepoint', each test's log starts empty on the kept connection", async () => {
    const runtime = await runtimeWith({ isolation: 'savepoint' })
    for (const name of ['first', 'second']) {
      const scope = runtime.openScope(name)
      const db = await runInScope(scope, async () => {
        const db = scope.get('db')
        db.prepare('select ?').get(name)
        return db
      })
      expect(statementLogOf(db)?.recent().statements).toEqual([`select '${name}'`])
      await scope.dispose()
    }
  })

  test('keeps no statements with sqlLog and integrity both false, and still guards who runs them', async () => {
    const runtime = await runtimeWith({ sqlLog: false, integrity: false })
    const handedOver = runtime.openScope('hands its connection over')
    const db = await runInScope(handedOver, async () => handedOver.get('db'))
    const other = runtime.openScope('uses it')
    await expect(runInScope(other, async () => db.prepare('select 1').get())).rejects.toThrow(/ran a statement on the database of test "hands its connection over"/)
    expect(statementLogOf(db)?.recent()).toEqual({ statements: [], total: 0 })
    await handedOver.dispose()
    await other.dispose().catch(() => {})
  })

  test('with sqlLog false, it keeps no statements (the integrity check still watches)', async () => {
    const scope = (await runtimeWith({ sqlLog: false })).openScope('t')
    const db = scope.get('db')
    db.prepare('select 1').get()
    expect(statementLogOf(db)?.recent()).toEqual({ statements: [], total: 1 })
    scope.markFailed()
    await expect(scope.dispose()).resolves.toBeUndefined()
  })
})

describe('statements in reports', () => {
  test('cut long literals, fold whitespace, and cut very long statements in the middle', () => {
    expect(shortenStatement(`insert into t values ('${'a'.repeat(100)}', x'${'0f'.repeat(100)}')`)).toBe(
      `insert into t values ('${'a'.repeat(40)}…' (100 chars), x'${'0f'.repeat(20)}…' (100 bytes))`,
    )
    expect(shortenStatement("select 'it''s'\n   from t")).toBe("select 'it''s' from t")
    const long = shortenStatement(`select ${Array.from({ length: 400 }, (_, i) => `c${i}`).join(', ')} from t where id = 1`)
    expect(long).toMatch(/^select c0, .* … \(\d+ chars\) … .* from t where id = 1$/)
    expect(long.length).toBeLessThan(1_000)
  })
})

describe('expectQueries and captureQueries', () => {
  async function inTest<T>(body: () => T | Promise<T>): Promise<T> {
    const scope = (await runtimeWith()).openScope('t')
    try {
      return await runInScope(scope, async () => body())
    } finally {
      await scope.dispose()
    }
  }

  test('return what the block returned, sync and async', async () => {
    await inTest(async () => {
      const { currentDb } = await import('../../src/core/access/current.js')
      const db = currentDb()
      expect(expectQueries({ count: 1 }, () => db.prepare('select 7').pluck().get())).toBe(7)
      expect(await expectQueries({ max: 1 }, async () => db.prepare('select 8').pluck().get())).toBe(8)
      expect(captureQueries(() => db.prepare('select 9').pluck().get())).toEqual({ result: 9, statements: ['select 9'] })
    })
  })

  test('watch the running test database when given testDatabase(), as app code holds it', async () => {
    const { testDatabase } = await import('../../src/core/access/test-database.js')
    await inTest(() => {
      const db = testDatabase()
      expect(captureQueries(() => db.prepare('select 10').pluck().get(), { db }).statements).toEqual(['select 10'])
    })
  })

  test('see each statement whole, however long: only the failure report shortens it', async () => {
    await inTest(async () => {
      const { currentDb } = await import('../../src/core/access/current.js')
      const db = currentDb()
      db.exec('create table order_lines (id integer primary key, note text)')
      // Over 8,000 characters, with the table named past the part a report keeps.
      const columns = Array.from({ length: 900 }, (_, i) => `'${i}' as c${i}`).join(', ')
      const sql = `select ${columns}, note from order_lines where id = 1`
      expect(sql.length).toBeGreaterThan(8_000)
      expect(() => expectQueries({ none: 'from order_lines where' }, () => db.prepare(sql).get())).toThrow(/but 1 of the block's 1 did/)
      expect(captureQueries(() => db.prepare(sql).get()).statements).toEqual([sql])
      expect(statementLogOf(db)?.recent().statements.at(-1)).toBe(shortenStatement(sql))
    })
  })

  test('a block that throws stops capturing and throws its own error', async () => {
    await inTest(async () => {
      expect(() => expectQueries({ count: 0 }, () => { throw new Error('own') })).toThrow('own')
      await expect(expectQueries({ count: 0 }, async () => { throw new Error('own async') })).rejects.toThrow('own async')
    })
  })

  test.each([
    [{}, 'needs at least one of count, max or none'],
    [{ count: -1 }, '"count" must be a whole number of statements, 0 or more, got -1'],
    [{ counts: 1 }, 'unknown expectation "counts". Use count, max, none (and db)'],
  ])('a bad expectation is an error that says so: %j', async (expected, message) => {
    await inTest(() => expect(() => expectQueries(expected as never, () => 1)).toThrow(message))
  })

  test('outside a test, or on a database with no log, say why', async () => {
    expect(() => expectQueries({ count: 0 }, () => 1)).toThrow(/outside a test/)
    const Database = (await import('better-sqlite3')).default
    const plain = new Database(':memory:')
    expect(() => expectQueries({ count: 0, db: plain }, () => 1)).toThrow(/records no statements/)
    plain.close()
  })
})
