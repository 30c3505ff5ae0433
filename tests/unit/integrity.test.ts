import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { resolveOptions, type SqliteFixturesOptions } from '../../src/core/base/options.js'
import { statementLogOf } from '../../src/core/diagnostics/sql-log.js'
import { Block } from '../../src/core/lifecycle/block.js'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'

const schema =
  'create table customers (id integer primary key, name text);\n' +
  'create table orders (id integer primary key, customer_id integer not null references customers(id));\n' +
  'create table notes (id integer primary key, order_id integer references orders(id) deferrable initially deferred);\n' +
  "insert into customers values (1, 'Ada');"

const roots: string[] = []
const runtimes: FixtureRuntime[] = []

afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.close()
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true })
})

async function runtimeWith(options: SqliteFixturesOptions = {}, schemaSql = schema): Promise<FixtureRuntime> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-integrity-'))
  roots.push(root)
  fs.writeFileSync(path.join(root, 'schema.sql'), schemaSql)
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: root, schema: 'schema.sql', cacheDir: 'cache', tempDir: 'tmp', ...options }))
  runtimes.push(runtime)
  await runtime.prepare()
  return runtime
}

/** Runs `body` as a passing test; resolves to the error its teardown threw, if any. */
async function passingTest(runtime: FixtureRuntime, body: (db: Database.Database) => void): Promise<Error | undefined> {
  const scope = runtime.openScope('a passing test')
  await runInScope(scope, async () => body(scope.get('db')))
  return scope.dispose().then(() => undefined, (error: Error) => error)
}

const orphan = (db: Database.Database) => db.prepare('insert into orders (customer_id) values (99)').run()

describe('the teardown check', () => {
  test('names the table, the row, its key and the parent of a row written with foreign keys off', async () => {
    const error = await passingTest(await runtimeWith(), (db) => {
      db.pragma('foreign_keys = OFF')
      orphan(db)
      db.pragma('foreign_keys = ON')
    })
    expect(error).toMatchObject({ name: 'IntegrityError', code: 'SQLITE_FIXTURES_INTEGRITY' })
    expect(error?.message).toContain('  orders rowid 1: customer_id = 99 has no match in customers(id)\n')
    expect(error).toHaveProperty('violations', [{ table: 'orders', rowid: 1, parent: 'customers', key: 'customer_id = 99 has no match in customers(id)' }])
  })

  test.each([
    ['quoted', 'PRAGMA "foreign_keys" = OFF'],
    ['bracketed, no spaces', 'PRAGMA [foreign_keys]=off'],
    ['single-quoted, as 0', "PRAGMA 'foreign_keys' = 0"],
    ['with a comment before =', 'PRAGMA foreign_keys /* off for a bulk load */ = OFF'],
    ['in the call form', 'pragma main.foreign_keys(false)'],
  ])('catches foreign keys turned off by any spelling of the pragma (%s), and back on', async (_name, off) => {
    const error = await passingTest(await runtimeWith(), (db) => {
      db.exec(off)
      orphan(db)
      db.exec('PRAGMA foreign_keys = ON')
    })
    expect(error?.message).toContain('orders rowid 1: customer_id = 99 has no match in customers(id)')
  })

  test('turning checks on, in any spelling, is not a reason to check', async () => {
    const runtime = await runtimeWith()
    const scope = runtime.openScope('turns checks on')
    const db = scope.get('db')
    db.exec('PRAGMA "foreign_keys" = 1; PRAGMA foreign_keys(ON)')
    expect(statementLogOf(db)?.risky).toBe(false)
    db.exec('PRAGMA defer_foreign_keys = ON')
    expect(statementLogOf(db)?.risky).toBe(true)
    await scope.dispose()
  })

  test("a block's derived template with deferred keys is checked too, apart from the base template's", async () => {
    // The base template has no deferred constraint, and its connection is checked first.
    const runtime = await runtimeWith({ isolation: 'savepoint' }, schema.replace(' deferrable initially deferred', ''))
    expect(await passingTest(runtime, (db) => db.prepare('select 1').get())).toBeUndefined()
    const block = new Block('a block that adds a deferred key', undefined, () => runtime)
    block.setupScope().get('db').exec('create table tags (id integer primary key, note_id integer references notes(id) deferrable initially deferred)')
    await block.freeze()
    const scope = runtime.openScope('in the block', undefined, block)
    await runInScope(scope, async () => scope.get('db').prepare('insert into tags (note_id) values (7)').run())
    await expect(scope.dispose()).rejects.toThrow('tags rowid 1: note_id = 7 has no match in notes(id)')
    await block.drop()
  })

  test('catches foreign keys turned off for every test by the pragmas option', async () => {
    const error = await passingTest(await runtimeWith({ pragmas: { foreign_keys: false } }), orphan)
    expect(error?.message).toContain('orders rowid 1: customer_id = 99')
  })

  test("catches a deferred schema constraint left broken under isolation 'savepoint'", async () => {
    const runtime = await runtimeWith({ isolation: 'savepoint' })
    const error = await passingTest(runtime, (db) => db.prepare('insert into notes (order_id) values (5)').run())
    expect(error?.message).toContain('notes rowid 1: order_id = 5 has no match in orders(id)')
    // The next test on the kept connection starts clean.
    expect(await passingTest(runtime, (db) => db.prepare('select 1').get())).toBeUndefined()
  })

  test('reports the same with safe integers on, which reads every integer as a bigint', async () => {
    const error = await passingTest(await runtimeWith(), (db) => {
      db.defaultSafeIntegers(true)
      db.pragma('foreign_keys = OFF')
      orphan(db)
    })
    expect(error).toMatchObject({ name: 'IntegrityError' })
    expect(error?.message).toContain('  orders rowid 1: customer_id = 99 has no match in customers(id)\n')
  })

  test('catches a deferred schema constraint with safe integers on', async () => {
    const runtime = await runtimeWith({ isolation: 'savepoint' })
    const error = await passingTest(runtime, (db) => {
      db.defaultSafeIntegers(true)
      db.prepare('insert into notes (order_id) values (5)').run()
    })
    expect(error?.message).toContain('notes rowid 1: order_id = 5 has no match in orders(id)')
  })

  test('catches a write by another connection with foreign keys off (file mode)', async () => {
    const error = await passingTest(await runtimeWith({ mode: 'file', env: false }), (db) => {
      const other = new Database(db.name)
      other.pragma('foreign_keys = OFF')
      orphan(other)
      other.close()
    })
    expect(error?.message).toContain('orders rowid 1: customer_id = 99')
  })

  test("'full' also runs PRAGMA integrity_check, and says ok is fine", async () => {
    const runtime = await runtimeWith({ integrity: 'full' })
    expect(await passingTest(runtime, (db) => db.prepare("insert into customers (name) values ('Grace')").run())).toBeUndefined()
  })

  test('leaves a failed test alone: its own failure is the report', async () => {
    const scope = (await runtimeWith()).openScope('a failing test')
    const db = scope.get('db')
    db.pragma('foreign_keys = OFF')
    orphan(db)
    scope.markFailed()
    await expect(scope.dispose()).rejects.toMatchObject({ name: 'TestDatabaseReport' })
  })

  test('with integrity: false, nothing is checked', async () => {
    const runtime = await runtimeWith({ integrity: false })
    expect(await passingTest(runtime, (db) => {
      db.pragma('foreign_keys = OFF')
      orphan(db)
    })).toBeUndefined()
  })
})

describe('options sqlLog and integrity', () => {
  test('default to a log of 50 and the foreign-key check', () => {
    expect(resolveOptions({})).toMatchObject({ sqlLog: { size: 50 }, integrity: 'foreign-keys' })
    expect(resolveOptions({ sqlLog: true, integrity: 'full' })).toMatchObject({ sqlLog: { size: 50 }, integrity: 'full' })
    expect(resolveOptions({ sqlLog: { size: 5 }, integrity: false })).toMatchObject({ sqlLog: { size: 5 }, integrity: false })
    expect(resolveOptions({ sqlLog: false })).toMatchObject({ sqlLog: false })
  })

  test.each([
    [{ sqlLog: 'on' }, 'option "sqlLog" must be true, false or { size }, got "on".'],
    [{ sqlLog: { size: 0 } }, 'option "sqlLog.size" must be an integer from 1 to 10000 (to turn the log off, set sqlLog: false), got number 0.'],
    [{ sqlLog: { sizes: 5 } }, 'option "sqlLog.sizes" must be absent (sqlLog takes only size), got number 5.'],
    [{ integrity: true }, 'option "integrity" must be "foreign-keys", "full" or false, got boolean true.'],
  ])('a bad value is an error that names it: %j', (options, message) => {
    expect(() => resolveOptions(options as SqliteFixturesOptions)).toThrow(`sqlite-fixtures: ${message}`)
  })
})
