import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Database, RunResult } from 'sqlite3'
import sqlite3 from 'sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { currentDb } from '../../src/core/access/current.js'
import { CrossTestError, FixtureUnavailableError, LateWorkError } from '../../src/core/base/errors.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { keepable } from '../../src/sqlite3/statements.js'
import { ownerHere, runInScope } from '../../src/core/lifecycle/owner.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import type { TestScope } from '../../src/core/lifecycle/scope.js'
import { Sqlite3FixtureError, testSqlite3Database } from '../../src/sqlite3/index.js'

const schema = 'create table notes (id integer primary key, text text not null, owner_id integer references notes(id));\n'
let root: string
let runtime: FixtureRuntime

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-sqlite3-'))
  fs.writeFileSync(path.join(root, 'schema.sql'), schema)
  runtime = new FixtureRuntime(resolveOptions({ rootDir: root, cacheDir: 'cache', tempDir: path.join(root, 'tmp'), schema: 'schema.sql' }))
  await runtime.prepare()
})

afterAll(() => {
  runtime.close()
  fs.rmSync(root, { recursive: true, force: true })
})

/** Runs `fn` as a test of its own; the scope stays open until `end()`. */
async function inTest<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; scope: TestScope; end: () => Promise<void> }> {
  const scope = runtime.openScope(name)
  const result = await runInScope(scope, fn)
  return { result, scope, end: () => scope.dispose() }
}

/** node-sqlite3's `run`, as a promise of what its callback's `this` holds. */
function run(db: Database, sql: string, ...params: unknown[]): Promise<{ lastID: number; changes: number }> {
  return new Promise((resolve, reject) => {
    db.run(sql, ...params, function (this: RunResult, error: Error | null) {
      if (error) reject(error)
      else resolve({ lastID: this.lastID, changes: this.changes })
    })
  })
}

const all = (db: Database, sql: string, ...params: unknown[]) => promisify((done: (error: Error | null, rows: unknown[]) => void) => db.all(sql, ...params, done))()

/** The same calls on a plain node-sqlite3 file with the schema, for comparison. */
async function onPlainFile<T>(use: (db: Database) => Promise<T>): Promise<T> {
  const file = path.join(root, `plain-${Math.random().toString(36).slice(2)}.db`)
  const db = new sqlite3.Database(file)
  try {
    await promisify((done: (error: Error | null) => void) => db.exec(`PRAGMA foreign_keys = ON; ${schema}`, done))()
    return await use(db)
  } finally {
    await promisify((done: (error: Error | null) => void) => db.close(done))()
    fs.rmSync(file, { force: true })
  }
}

const db = testSqlite3Database()

test('values, lastID, changes and errors come back as node-sqlite3 returns them on a plain file', async () => {
  const work = async (on: Database) => ({
    first: await run(on, 'insert into notes (text) values (?)', 'Ada'),
    second: await run(on, 'insert into notes (text) values ($text)', { $text: 'Grace' }),
    updated: await run(on, "update notes set text = text || '!'"),
    rows: await all(on, 'select id, text, owner_id, x\'00ff\' as bytes, 2.5 as real from notes order by id'),
    foreignKey: await run(on, 'insert into notes (text, owner_id) values (?, ?)', 'orphan', 99).catch((error: Error & { code?: string; errno?: number }) => [error.message, error.code, error.errno]),
    syntax: await all(on, 'selec 1').catch((error: Error & { code?: string }) => [error.message, error.code]),
  })
  const expected = await onPlainFile(work)
  const { result, end } = await inTest('values', () => work(db))
  await end()
  expect(result).toEqual(expected)
  expect(result.foreignKey).toEqual(['SQLITE_CONSTRAINT: FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT', 19])
})

test('each test reaches its own database, and ctx.db sees what node-sqlite3 wrote', async () => {
  const a = await inTest('A', async () => {
    await run(db, "insert into notes (text) values ('from A')")
    return currentDb().prepare('select text from notes').pluck().all()
  })
  const b = await inTest('B', () => all(db, 'select text from notes'))
  expect(a.result).toEqual(['from A'])
  expect(b.result).toEqual([])
  await a.end()
  await b.end()
})

test("callbacks run in the calling test's async context, which node-sqlite3 itself loses", async () => {
  const { result, scope, end } = await inTest('context', async () => {
    const owners = await new Promise<unknown[]>((resolve) => {
      const seen: unknown[] = []
      // node-sqlite3 runs the two in parallel: either may finish first.
      let pending = 2
      const done = () => (pending -= 1) === 0 && resolve([...seen, ownerHere()])
      db.run('insert into notes (text) values (1)', () => (seen.push(ownerHere()), done()))
      db.each('select 1 union select 2', () => seen.push(ownerHere()), done)
    })
    return owners
  })
  await end()
  expect(result).toEqual([scope, scope, scope, scope])
})

test('a statement prepared in one test and run in another is refused, naming both', async () => {
  const a = await inTest('opener', async () => db.prepare('select count(*) as n from notes'))
  const b = await inTest('user', () => new Promise((resolve) => a.result.get((error: Error | null) => resolve(error))))
  expect(b.result).toBeInstanceOf(CrossTestError)
  expect((b.result as Error).message).toMatch(/a node-sqlite3 statement prepared in test "opener" was used by test "user"/)
  await a.end()
  await expect(b.end()).rejects.toThrow(/prepared in test "opener" was used by test "user"/)
  // Once the first test has ended, the same: the test that runs it is refused, not the first charged with late work.
  const c = await inTest('later', () => new Promise((resolve) => a.result.get((error: Error | null) => resolve(error))))
  expect(c.result).toBeInstanceOf(CrossTestError)
  expect((c.result as Error).message).toMatch(/statement prepared in test "opener" was used by test "later"/)
  await expect(c.end()).rejects.toThrow(/prepared in test "opener" was used by test "later"/)
})

test('a callback due after its test ended is refused, and a statement left open does not keep the connection from closing', async () => {
  let late: Promise<unknown> | undefined
  const { end } = await inTest('leaves work', async () => {
    db.prepare('select 1') // never finalized
    late = new Promise((resolve) => db.all('select * from notes', (error: Error | null, rows: unknown) => resolve(error ?? rows)))
  })
  await end()
  expect(await late).toBeInstanceOf(LateWorkError)
})

test('outside a test, configuring calls are kept for every test, and queries fail with the reason', async () => {
  await new Promise((resolve) => db.run('PRAGMA user_version = 7', resolve))
  const outside = await new Promise((resolve) => db.get('select 1', (error: Error | null) => resolve(error)))
  expect(outside).toBeInstanceOf(FixtureUnavailableError)
  expect((outside as Error).message).toMatch(/^sqlite-fixtures: a query through testSqlite3Database\(\) was made outside a test\./)
  const { result, end } = await inTest('kept', () => all(db, 'PRAGMA user_version'))
  await end()
  expect(result).toEqual([{ user_version: 7 }])
})

test('serialize(), parallelize(), configure() and interrupt() return the database, as node-sqlite3 does, so that an app can chain them', async () => {
  const chained = (database: Database) => {
    const self = database as unknown as Record<string, (...args: unknown[]) => unknown>
    return [self.serialize?.(), self.parallelize?.(), self.serialize?.(() => {}), self.configure?.('busyTimeout', 50), self.interrupt?.()].map((value) => value === database)
  }
  // Once open: node-sqlite3's interrupt() throws on a database still opening.
  const { result, end } = await inTest('chains', async () => {
    await all(db, 'select 1')
    return chained(db)
  })
  await end()
  expect(result).toEqual(await onPlainFile(async (plain) => chained(plain)))
  expect(result).toEqual([true, true, true, true, true])
})

test("close() and a statement's finalize() return the app's database, as node-sqlite3's do", async () => {
  const returned = async (database: Database) => {
    await all(database, 'select 1')
    const finalized = database.prepare('select 1').finalize() as unknown
    const closed = await new Promise<unknown>((resolve) => {
      const value: unknown = database.close(() => resolve(value))
    })
    return [finalized === database, closed === database]
  }
  const { result, end } = await inTest('closes', () => returned(db))
  await end()
  expect(await returned(new sqlite3.Database(path.join(root, 'plain-closed.db')))).toEqual([true, true])
  expect(result).toEqual([true, true])
  // A statement prepared where no test runs (at import) follows the tests: the same answer.
  expect(db.prepare('select 1').finalize()).toBe(db)
})

describe('events', () => {
  test("trace reports the test's statements, in the test's context, to a listener added in the test", async () => {
    const { result, scope, end } = await inTest('trace', async () => {
      // node-sqlite3 reports traces asynchronously, possibly after the query's own callback.
      const traced = new Promise<[string, unknown]>((resolve) => db.on('trace', (sql: string) => sql === 'select 42' && resolve([sql, ownerHere()])))
      await all(db, 'select 42')
      return traced
    })
    await end()
    expect(result).toEqual(['select 42', scope])
  })

  test("'close' reaches the app's listeners only for a close() a test made, not for the plugin's own at a test's end", async () => {
    const heard: string[] = []
    const listener = () => heard.push(ownerHere() === undefined ? 'outside a test' : 'in a test')
    db.on('close', listener)
    try {
      const reading = await inTest('reads', () => all(db, 'select 1'))
      await reading.end()
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(heard).toEqual([])
      const closing = await inTest('closes', () => promisify((done: (error: Error | null) => void) => db.close(done))())
      await new Promise((resolve) => setImmediate(resolve))
      await closing.end()
      expect(heard).toHaveLength(1)
    } finally {
      db.off('close', listener)
    }
  })
})

test("kept calls are made in the order made, repeats and each one's values included, before the test's first statement", async () => {
  // Foreign keys off around schema code, then on again; two limits of one configure() option.
  for (const sql of ['PRAGMA foreign_keys = ON', 'PRAGMA foreign_keys = OFF', 'CREATE TABLE IF NOT EXISTS audit (note_id integer references notes(id))', 'PRAGMA foreign_keys = ON']) {
    expect(await new Promise((resolve) => db.run(sql, resolve))).toBe(null)
  }
  // A timer's setting, firing three times while the imports load: made once on each connection.
  const optimized: string[] = []
  db.on('trace', (sql: string) => sql === 'PRAGMA optimize' && optimized.push(sql))
  for (let i = 0; i < 3; i++) expect(await new Promise((resolve) => db.run('PRAGMA optimize', resolve))).toBe(null)
  // Last, as an app's helper makes it, with an empty list of values: the test's first statement comes right after it.
  expect(await new Promise((resolve) => db.run('CREATE TABLE IF NOT EXISTS audit_log (note text)', [], resolve))).toBe(null)
  db.configure('limit', sqlite3.LIMIT_LENGTH, 500)
  db.configure('limit', sqlite3.LIMIT_VARIABLE_NUMBER, 5)
  const { result, end } = await inTest('after the set-up', async () => ({
    // The first statement, at once: the kept CREATEs have run before it.
    auditLog: await run(db, "insert into audit_log (note) values ('first')"),
    audit: await all(db, 'select count(*) as n from audit'),
    foreignKeys: await all(db, 'PRAGMA foreign_keys'),
    tooLong: await all(db, 'select zeroblob(1000)').catch((error: Error & { code?: string }) => error.code),
    tooMany: await all(db, 'select ?6', 1, 2, 3, 4, 5, 6).catch((error: Error) => error.message),
  }))
  await end()
  expect(optimized).toEqual(['PRAGMA optimize'])
  expect(result).toEqual({ auditLog: { lastID: 1, changes: 1 }, audit: [{ n: 0 }], foreignKeys: [{ foreign_keys: 1 }], tooLong: 'SQLITE_TOOBIG', tooMany: expect.stringMatching(/variable number must be between \?1 and \?5/) })
})

test('a test whose first call is serialize(callback) finds the kept calls made before its statements', async () => {
  const { result, end } = await inTest('serialized first', () =>
    new Promise((resolve, reject) => {
      db.serialize(() => {
        db.run("insert into audit_log (note) values ('serialized')", (error: Error | null) => error && reject(error))
        db.all('select note from audit_log', (error: Error | null, rows: unknown[]) => (error ? reject(error) : resolve(rows)))
      })
    }),
  )
  await end()
  expect(result).toEqual([{ note: 'serialized' }])
})

// Last: the kept call stays kept, for every later test of this file.
test('a write where no test runs is refused whenever it comes, even before the tests start', async () => {
  const refused = await new Promise((resolve) => db.exec("/* seed */ insert into notes (text) values ('at start-up')", resolve))
  expect((refused as Error).message).toMatch(/^sqlite-fixtures: exec\(.*\) through testSqlite3Database\(\) was made outside a test: writes no test owns are refused/)
  const { result, end } = await inTest('after the start-up write', () => all(db, 'select text from notes'))
  await end()
  expect(result).toEqual([])
})

test('a kept call that fails on a test database fails that test, naming the call', async () => {
  db.exec('create index missing_text on missing (text)')
  const { end } = await inTest('broken setup', () => all(db, 'select 1'))
  const failure = await end().catch((error: unknown) => error)
  expect((failure as Error).cause).toBeInstanceOf(Sqlite3FixtureError)
  expect((failure as Error).message).toMatch(/exec\("create index missing_text on missing \(text\)"\), called on testSqlite3Database\(\) outside a test, failed on the database of test "broken setup": SQLITE_ERROR: no such table: main\.missing/)
})

test('what is kept where no test runs: every statement of the SQL sets the connection up (a PRAGMA, a CREATE), triggers included', () => {
  const kept = [
    'PRAGMA foreign_keys = ON',
    '  -- the app at start-up\n  create table if not exists notes (text text); create index if not exists notes_text on notes (text);',
    "CREATE TRIGGER stamp AFTER INSERT ON notes BEGIN INSERT INTO audit (what) VALUES ('note; with a semicolon'); UPDATE audit SET n = n + 1; END; PRAGMA cache_size = -4000",
    "create trigger t after insert on notes begin update audit set what = case when what = '' then 'blank' else what end; insert into audit (what) values ('done'); end",
    // A column named end (SQLite allows it) at the end of a body's statement.
    'create temp trigger no_overlap after insert on bookings begin delete from bookings where new.start >= new.end; end',
    'create temp trigger t2 after insert on bookings begin delete from bookings where start >= end; end;',
    // A quoted name right after TRIGGER, with no space.
    'CREATE TEMP TRIGGER"log_names" AFTER INSERT ON notes BEGIN SELECT 1; SELECT 2; END',
    'create trigger[t3] after insert on notes begin select 1; end; create trigger`t4` after insert on notes begin select 1; end',
    '/* settings */ pragma busy_timeout = 100;;',
  ]
  const refused = [
    "create table if not exists notes (text text); insert into notes (text) values ('seeded at start-up')",
    "PRAGMA foreign_keys = ON; DELETE FROM notes",
    "create trigger t after insert on notes begin select 1; end; drop table notes",
    // `$` may be part of a name: has$case is no CASE, so the trigger's END is its own.
    "create temp trigger t after insert on notes begin update notes set text = 'x' where has$case is null; end; insert into notes (text) values ('seeded')",
    "create temp trigger t after insert on notes begin update notes set text = case when text is null then 'x' else text end; end; insert into notes (text) values ('seeded')",
    "with x as (select 1) insert into notes select 'x' from x",
    "create table notes2 (t text); /* a comment; then */ replace into notes2 values ('x')",
  ]
  expect(kept.filter((sql) => !keepable(sql))).toEqual([])
  expect(refused.filter((sql) => keepable(sql))).toEqual([])
})
