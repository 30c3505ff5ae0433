import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Block } from '../../src/core/lifecycle/block.js'
import { currentDb } from '../../src/core/access/current.js'
import { runInBlock, runInScope } from '../../src/core/lifecycle/owner.js'
import { finishFile } from '../../src/core/lifecycle/refusals.js'
import { FixtureUnavailableError } from '../../src/core/base/errors.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import type { TestScope } from '../../src/core/lifecycle/scope.js'
import { isTestDatabase, testDatabase } from '../../src/core/access/test-database.js'

// The handle is made at import time, as an app's db module would make it.
const db = testDatabase()
const insertAtImport = db.prepare('insert into notes (text) values (?)')
const countAtImport = db.prepare('select count(*) from notes').pluck()
db.function('shout', (text: string) => `${text.toUpperCase()}!`)
db.exec("create table if not exists made_at_import (x); insert into made_at_import values ('import')")

let root: string
let runtime: FixtureRuntime
const scopes: TestScope[] = []

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-handle-'))
  fs.writeFileSync(
    path.join(root, 'schema.sql'),
    'create table notes (id integer primary key, text text not null);\n' +
      'create table authors (id integer primary key);\n' +
      'create table books (id integer primary key, author_id integer not null references authors(id));\n',
  )
  runtime = new FixtureRuntime(resolveOptions({ rootDir: root, cacheDir: 'cache', schema: 'schema.sql' }))
  await runtime.prepare()
})

afterAll(async () => {
  for (const scope of scopes) await scope.dispose()
  runtime.close()
  fs.rmSync(root, { recursive: true, force: true })
})

/** Runs `fn` as a test of its own, with its own database; the scope stays open until `end()`. */
async function inTest<T>(name: string, fn: () => T | Promise<T>): Promise<{ result: T; scope: TestScope; end: () => Promise<void> }> {
  const scope = runtime.openScope(name)
  scopes.push(scope)
  const result = await runInScope(scope, async () => fn())
  return { result, scope, end: () => scope.dispose() }
}

const rows = (database: Database) => database.prepare('select text from notes order by id').pluck().all()

describe('outside a test', () => {
  test('is recognized as the handle, and answers probes without building a database', () => {
    expect(isTestDatabase(db)).toBe(true)
    expect(isTestDatabase({})).toBe(false)
    expect(db.open).toBe(true)
    expect(db.inTransaction).toBe(false)
    expect(db.name).toBe('')
    expect(db.constructor.name).not.toBe('Object') // Drizzle's drizzle(client) tells a client from a config by this
    expect('prepare' in db && 'logger' in db).toBe(false)
    expect(Object.keys(db)).toEqual([])
    expect(String(db)).toBe('[object TestDatabase]')
  })

  test("is its own client, so Drizzle 1.x's drizzle(x), which reads x as a config object, gets the handle", () => {
    const { client, connection } = db as unknown as { client: unknown; connection: unknown }
    expect(client).toBe(db)
    expect(connection).toBeUndefined()
  })

  test('a read that needs a database says no test is running', () => {
    expect(() => db.pragma('foreign_keys')).toThrow(FixtureUnavailableError)
    expect(() => db.serialize()).toThrow(/called outside a test/)
    expect(() => insertAtImport.run('x')).toThrow(/called outside a test/)
  })

  test('close is a no-op on the shared handle', () => {
    expect(db.close()).toBe(db)
    expect(db.open).toBe(true)
  })
})

describe('work a test left running, with tests one at a time', () => {
  /** Test A starts `work` without awaiting it and ends; test B then runs while it fires. */
  async function leftRunning(work: () => void): Promise<{ seen: unknown[]; errors: unknown[]; bDb: Database }> {
    const errors: unknown[] = []
    let fired: Promise<void> = Promise.resolve()
    const a = await inTest('A', () => {
      fired = new Promise<void>((resolve) =>
        setTimeout(() => {
          try {
            work()
          } catch (error) {
            errors.push(error)
          }
          resolve()
        }, 10),
      )
    })
    await a.end()
    const b = await inTest('B', async () => {
      await fired
      return rows(db)
    })
    const bDb = b.scope.get('db')
    await b.end()
    return { seen: b.result, errors, bDb }
  }

  test.each([
    ['a statement the app prepared at import', () => void insertAtImport.run('late')],
    ['a statement prepared then', () => void db.prepare('insert into notes (text) values (?)').run('late')],
    ['currentDb()', () => void currentDb().prepare("insert into notes (text) values ('late')").run()],
    ['an exec, which outside a test would be kept for every test', () => void db.exec("insert into notes (text) values ('late')")],
  ])('through %s: it is refused once A ended, naming A, and B sees nothing of it', async (_how, work) => {
    const { seen, errors } = await leftRunning(work)
    expect(seen).toEqual([])
    expect(errors).toEqual([expect.objectContaining({ name: 'LateWorkError', message: expect.stringContaining('test "A" has ended') })])
    // Kept for the file to report: the app may have swallowed it.
    expect((await finishFile(undefined))).toEqual(errors)
  })
})

describe('in a test', () => {
  test('statements run on the running test database, and the next test starts clean', async () => {
    const first = await inTest('first', () => {
      db.prepare('insert into notes (text) values (?)').run('one')
      return rows(db)
    })
    const second = await inTest('second', () => rows(db))
    expect(first.result).toEqual(['one'])
    expect(second.result).toEqual([])
    await first.end()
    await second.end()
  })

  test('concurrent tests through the one handle each reach their own database', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `concurrent ${i}`)
    const runs = await Promise.all(
      names.map((name) =>
        inTest(name, async () => {
          insertAtImport.run(name)
          await new Promise((resolve) => setTimeout(resolve, 5))
          return db.transaction(() => rows(db))()
        }),
      ),
    )
    expect(runs.map((run) => run.result)).toEqual(names.map((name) => [name]))
    for (const run of runs) await run.end()
  })

  test('a statement prepared at import time follows each test, keeping its modes', async () => {
    const runs = [await inTest('a', () => (insertAtImport.run('a'), countAtImport.get())), await inTest('b', () => countAtImport.get())]
    expect(runs.map((run) => run.result)).toEqual([1, 0])
    expect(insertAtImport.database).toBe(db)
    expect(insertAtImport.source).toBe('insert into notes (text) values (?)')
    for (const run of runs) await run.end()
  })

  test('a statement prepared in one test runs, in another, on that test\'s own database', async () => {
    const first = await inTest('prepares', () => db.prepare('insert into notes (text) values (?)'))
    const second = await inTest('runs', () => {
      first.result.run('from the second test')
      return rows(currentDb())
    })
    // A module that prepared it while a test imported it, and another test that runs it.
    expect(second.result).toEqual(['from the second test'])
    expect(rows(first.scope.get('db'))).toEqual([])
    await first.end()
    await second.end()
  })

  test("a statement prepared in a block's beforeAll writes there, then follows each of the block's tests", async () => {
    const block = new Block('repository block', undefined, () => runtime)
    try {
      await runInBlock(block, async () => {
        // As a repository made in beforeAll prepares its statements once.
        const insert = db.prepare('insert into notes (text) values (?)')
        insert.run('from beforeAll')
        await block.freeze()
        for (const name of ['first', 'second']) {
          const scope = runtime.openScope(name, undefined, block)
          try {
            expect(await runInScope(scope, async () => (insert.run(name), rows(db)))).toEqual(['from beforeAll', name])
          } finally {
            await scope.dispose()
          }
        }
      })
    } finally {
      await block.drop()
    }
  })

  test("close() closes the running test's database only, and where no test runs it is a harmless shutdown", async () => {
    const closing = await inTest('closes', () => {
      db.close()
      return [db.open, currentDb().open]
    })
    const next = await inTest('next', () => db.open)
    expect(closing.result).toEqual([false, false])
    expect(next.result).toBe(true)
    await closing.end()
    await next.end()
    // Work the test left running, and an afterAll of a block whose tests started, close nothing and are not refused.
    await runInScope(closing.scope, async () => db.close())
    const block = new Block('shuts down in afterAll', undefined, () => runtime)
    await block.freeze()
    await runInBlock(block, async () => db.close())
    await block.drop()
    expect((await finishFile(undefined))).toEqual([])
  })

  test('a statement used by work its test left running, after the test ended, is refused as late work', async () => {
    const { result: statement, scope, end } = await inTest('ended', () => db.prepare('select 1'))
    await end()
    // A timer the test left, still in its async context.
    await expect(runInScope(scope, async () => statement.get())).rejects.toThrow('test "ended" has ended, but work it left running')
  })

  test('transactions commit, roll back and nest, in every variant', async () => {
    const insert = db.prepare('insert into notes (text) values (?)')
    const insertMany = db.transaction((texts: string[]) => {
      for (const text of texts) insert.run(text)
    })
    const failing = db.transaction(() => {
      insert.run('lost')
      throw new Error('rolled back')
    })
    const run = await inTest('transactions', () => {
      insertMany(['a', 'b'])
      insertMany.immediate(['c'])
      insertMany.exclusive(['d'])
      expect(() => failing.deferred()).toThrow('rolled back')
      db.transaction(() => {
        insertMany(['nested'])
        expect(db.inTransaction).toBe(true)
        expect(() => failing()).toThrow('rolled back')
      })()
      return rows(db)
    })
    expect(run.result).toEqual(['a', 'b', 'c', 'd', 'nested'])
    await run.end()
  })

  test('calls that configure a connection, made at import time, are made on each test database', async () => {
    const runs = [await inTest('one', () => db.prepare("select shout('hi')").pluck().get()), await inTest('two', () => db.prepare('select x from made_at_import').pluck().all())]
    expect(runs.map((run) => run.result)).toEqual(['HI!', ['import']])
    for (const run of runs) await run.end()
  })

  test("calls that configure a connection, made at import time, hold for ctx.db too, in a test that never uses the handle", async () => {
    const run = await inTest('through ctx.db', () => currentDb().prepare("select shout('direct')").pluck().get())
    expect(run.result).toBe('DIRECT!')
    await run.end()
  })

  test('foreign keys are enforced through the handle', async () => {
    const run = await inTest('fk', () => () => db.prepare('insert into books (author_id) values (42)').run())
    await expect(runInScope(run.scope, async () => run.result())).rejects.toThrow(/FOREIGN KEY constraint failed/)
    await run.end()
  })

  test('pragma, function, aggregate, serialize, backup and the properties reach the test database', async () => {
    const backupFile = path.join(root, 'backup.sqlite')
    const run = await inTest('surface', async () => {
      db.function('twice', (n: number) => n * 2)
      db.aggregate('total', { start: 0, step: (sum: number, n: number) => sum + n })
      db.prepare('insert into notes (text) values (?)').run('x')
      await db.backup(backupFile)
      return {
        foreignKeys: db.pragma('foreign_keys', { simple: true }),
        twice: db.prepare('select twice(21)').pluck().get(),
        total: db.prepare('select total(id) from notes').pluck().get(),
        image: db.serialize().length > 0,
        memory: db.memory,
        readonly: db.readonly,
        columns: db.prepare('select id, text from notes').columns().map((column) => column.name),
        reader: db.prepare('select 1').reader,
        iterated: [...db.prepare('select text from notes').pluck().iterate()],
        raw: db.prepare('select id, text from notes').raw().get(),
        expanded: db.prepare('select id, text from notes').expand().get(),
      }
    })
    expect(run.result).toEqual({
      foreignKeys: 1,
      twice: 42,
      total: 1,
      image: true,
      memory: true,
      readonly: false,
      columns: ['id', 'text'],
      reader: true,
      iterated: ['x'],
      raw: [1, 'x'],
      expanded: { notes: { id: 1, text: 'x' } },
    })
    expect(fs.existsSync(backupFile)).toBe(true)
    await run.end()
  })
})
