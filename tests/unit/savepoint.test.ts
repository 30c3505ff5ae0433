import { AsyncResource } from 'node:async_hooks'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { resolveOptions } from '../../src/core/base/options.js'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'

let root: string
let runtime: FixtureRuntime
/** The app's own loop, started at import: what it runs carries no test's async context. */
const appLoop = new AsyncResource('app-loop')

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-savepoint-'))
  fs.writeFileSync(
    path.join(root, 'schema.sql'),
    'create table customers (id integer primary key, name text);\n' +
      'create table orders (id integer primary key, customer_id integer not null references customers(id));\n' +
      "insert into customers values (1, 'Ada');",
  )
  runtime = new FixtureRuntime(resolveOptions({ rootDir: root, schema: 'schema.sql', cacheDir: 'cache', isolation: 'savepoint' }))
  await runtime.prepare()
})

afterEach(() => {
  runtime.close()
  fs.rmSync(root, { recursive: true, force: true })
})

/** Runs `body` as one test with its own scope, as a runner adapter would. */
async function asTest<T>(name: string, body: (db: import('better-sqlite3').Database) => T): Promise<T> {
  const scope = runtime.openScope(name)
  try {
    return await runInScope(scope, async () => body(scope.get('db')))
  } finally {
    await scope.dispose()
  }
}

const countOrders = (db: import('better-sqlite3').Database) => db.prepare('select count(*) from orders').pluck().get()

describe("isolation: 'savepoint'", () => {
  test('a statement no test runs for (an interval the app started at import) is refused on the kept connection, not written into the next test\'s savepoint', async () => {
    const handedOver = await asTest('hands its connection to the app', (db) => db)
    const seen = await asTest('writes nothing itself', (db) => {
      const flush = () => handedOver.prepare('insert into orders (customer_id) values (1)').run()
      expect(() => appLoop.runInAsyncScope(flush)).toThrow(/from code that no test runs for/)
      return countOrders(db)
    })
    expect(seen).toBe(0)
  })

  test('rows and tables a test makes are rolled back before the next test, on the same connection', async () => {
    const first = await asTest('writes', (db) => {
      db.prepare('insert into orders (customer_id) values (1)').run()
      db.exec('create table scratch (x)')
      return db
    })
    const second = await asTest('reads', (db) => {
      expect(countOrders(db)).toBe(0)
      expect(db.prepare("select count(*) from sqlite_master where name = 'scratch'").pluck().get()).toBe(0)
      return db
    })
    expect(second).toBe(first)
  })

  test('foreign keys are enforced inside the savepoint', async () => {
    await asTest('fk', (db) => {
      expect(() => db.prepare('insert into orders (customer_id) values (9)').run()).toThrow(/FOREIGN KEY/)
    })
  })

  test("better-sqlite3's own transactions nest inside it and are rolled back with it", async () => {
    await asTest('nested', (db) => {
      db.transaction(() => db.prepare('insert into orders (customer_id) values (1)').run())()
      expect(countOrders(db)).toBe(1)
    })
    await asTest('after', (db) => expect(countOrders(db)).toBe(0))
  })

  test('a raw BEGIN in the code under test fails: the limit this strategy documents', async () => {
    await asTest('begin', (db) => {
      expect(() => db.exec('BEGIN')).toThrow(/cannot start a transaction within a transaction/)
    })
  })

  test('a test that commits its writes costs the connection: the next test gets a fresh copy', async () => {
    const committed = await asTest('commits', (db) => {
      db.prepare('insert into orders (customer_id) values (1)').run()
      db.exec('COMMIT')
      return db
    })
    const next = await asTest('next', (db) => {
      expect(countOrders(db)).toBe(0)
      return db
    })
    expect(next).not.toBe(committed)
    expect(committed.open).toBe(false)
  })

  test.each([
    ['turns safe integers on', (db: import('better-sqlite3').Database) => db.defaultSafeIntegers(true)],
    ['makes LIKE case-sensitive', (db: import('better-sqlite3').Database) => db.pragma('case_sensitive_like = 1')],
    ['makes the connection read-only', (db: import('better-sqlite3').Database) => db.exec('PRAGMA query_only = ON')],
    ['registers a function', (db: import('better-sqlite3').Database) => db.function('shout', (text: string) => text.toUpperCase())],
  ])('a test that %s leaves the next test a fresh connection, as the template made it', async (_name, change) => {
    const first = await asTest('changes the connection', (db) => (change(db), db))
    const second = await asTest('next', (db) => {
      expect(typeof db.prepare('select count(*) from orders').pluck().get()).toBe('number')
      expect(db.prepare("select 'a' like 'A'").pluck().get()).toBe(1)
      expect(() => db.prepare('select shout(1)')).toThrow(/no such function/)
      db.prepare('insert into orders (customer_id) values (1)').run()
      return db
    })
    expect(second).not.toBe(first)
    // A test that changes nothing keeps the connection for the next.
    expect(await asTest('after', (db) => db)).toBe(second)
  })

  test('two tests at once are refused: one connection serves one test', async () => {
    const first = runtime.openScope('first')
    first.get('db')
    const second = runtime.openScope('second')
    expect(() => second.get('db')).toThrow(/can serve one test at a time/)
    await first.dispose()
    await second.dispose()
  })

  test('cannot be combined with file mode, whose other connections would not see the rows', () => {
    expect(() => resolveOptions({ mode: 'file', isolation: 'savepoint' })).toThrow(
      "option isolation 'savepoint' cannot be used with mode 'file'",
    )
  })
})
