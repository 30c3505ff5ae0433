import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Client } from '@libsql/client'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { currentDb } from '../../src/core/access/current.js'
import { expectRefusal } from '../../src/core/access/refusal.js'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { CrossTestError, FixtureUnavailableError } from '../../src/core/base/errors.js'
import { resolveOptions, type SqliteFixturesOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import type { TestScope } from '../../src/core/lifecycle/scope.js'
import { LibsqlFixtureError, testLibsqlClient } from '../../src/libsql/index.js'

/** Every real libSQL client the handle opened, in order. */
const made = vi.hoisted((): Client[] => [])
vi.mock('@libsql/client', async (importOriginal) => {
  const libsql = await importOriginal<typeof import('@libsql/client')>()
  return { ...libsql, createClient: (config: Parameters<typeof libsql.createClient>[0]) => made[made.push(libsql.createClient(config)) - 1] }
})

let root: string
const runtimes: FixtureRuntime[] = []

async function makeRuntime(options: SqliteFixturesOptions = {}): Promise<FixtureRuntime> {
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: root, cacheDir: 'cache', tempDir: path.join(root, 'tmp'), schema: 'schema.sql', ...options }))
  runtimes.push(runtime)
  await runtime.prepare()
  return runtime
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-libsql-'))
  fs.writeFileSync(path.join(root, 'schema.sql'), 'create table notes (id integer primary key, text text not null);\n')
})

afterAll(() => {
  for (const runtime of runtimes) runtime.close()
  fs.rmSync(root, { recursive: true, force: true })
})

/** Runs `fn` as a test of its own (concurrent: in an async context of its own); the scope stays open until `end()`. */
async function inTest<T>(runtime: FixtureRuntime, name: string, fn: () => Promise<T>): Promise<{ result: T; scope: TestScope; end: () => Promise<void> }> {
  const scope = runtime.openScope(name)
  const result = await runInScope(scope, fn)
  return { result, scope, end: () => scope.dispose() }
}

const notes = async (client: Client) => (await client.execute('select text from notes order by id')).rows.map((row) => row['text'])

// Runs first: the handle does not exist yet, so the test's database is made in memory.
test('a database made in memory before the handle existed is refused with the fix', async () => {
  const runtime = await makeRuntime()
  const scope = runtime.openScope('made in memory')
  const error = await runInScope(
    scope,
    async () => {
      expect(scope.get('db').memory).toBe(true)
      return testLibsqlClient().execute('select 1').catch((caught: unknown) => caught)
    },
  )
  await scope.dispose()
  expect(error).toBeInstanceOf(LibsqlFixtureError)
  expect((error as Error).message).toMatch(/test "made in memory" was made in memory before testLibsqlClient\(\) was first called/)
})

describe('options', () => {
  test('an unknown option or intMode is refused, naming it', () => {
    expect(() => testLibsqlClient({ url: 'file:app.db' } as never)).toThrow(/has no option "url": it takes only intMode/)
    expect(() => testLibsqlClient({ intMode: 'float' } as never)).toThrow(/must be 'number', 'bigint' or 'string', got "float"/)
  })

  test('the same options give the same client, which the app and the layers share', () => {
    expect(testLibsqlClient()).toBe(testLibsqlClient({}))
    expect(testLibsqlClient({ intMode: 'bigint' })).not.toBe(testLibsqlClient())
  })
})

describe('outside a test', () => {
  test('it answers probes, close() does nothing, and a query is refused with the reason', async () => {
    const client = testLibsqlClient()
    expect(client.protocol).toBe('file')
    expect(client.closed).toBe(false)
    client.close()
    expect(client.closed).toBe(false)
    await expect(client.execute('select 1')).rejects.toThrow(FixtureUnavailableError)
  })
})

describe('in a test', () => {
  test("the test's database is a file, with no env var bound to it, in memory mode", async () => {
    const runtime = await makeRuntime()
    const client = testLibsqlClient()
    const { result, end } = await inTest(runtime, 'file', async () => {
      await client.execute({ sql: 'insert into notes (text) values (?)', args: ['via libSQL'] })
      return { memory: currentDb().memory, url: process.env['DATABASE_URL'] }
    })
    expect(result).toEqual({ memory: false, url: undefined })
    await end()
  })

  test("two tests' clients are two databases, and ctx.db shares the test's", async () => {
    const runtime = await makeRuntime()
    const client = testLibsqlClient()
    const first = await inTest(runtime, 'first', async () => {
      await client.execute({ sql: 'insert into notes (text) values (?)', args: ['first'] })
      return notes(client)
    })
    const second = await inTest(runtime, 'second', async () => notes(client))
    expect(first.result).toEqual(['first'])
    expect(second.result).toEqual([])
    expect(first.scope.get('db').prepare('select text from notes').pluck().all()).toEqual(['first'])
    await first.end()
    await second.end()
  })

  test("work left running after its test ended is refused, naming the test, and the test's files are gone", async () => {
    const runtime = await makeRuntime()
    const client = testLibsqlClient()
    const { result: transaction, end } = await inTest(runtime, 'ended', async () => {
      const tx = await client.transaction('write')
      await tx.execute({ sql: "insert into notes (text) values ('open')", args: [] })
      return tx
    })
    const real = made.at(-1)
    expect(real?.closed).toBe(false)
    await end()
    // The test's libSQL client was closed with its database.
    expect(real?.closed).toBe(true)
    await expect(transaction.execute({ sql: "insert into notes (text) values ('late')", args: [] })).rejects.toThrow(
      /test "ended" has ended, but work it left running .* reached for its database\. It was refused/,
    )
    await expect(transaction.rollback()).resolves.toBeUndefined()
    expect(fs.readdirSync(path.join(root, 'tmp')).flatMap((dir) => fs.readdirSync(path.join(root, 'tmp', dir)))).toEqual([])
  })

  test('a transaction opened in one test and used in another is refused', async () => {
    const runtime = await makeRuntime()
    const client = testLibsqlClient()
    const first = await inTest(runtime, 'opener', async () => client.transaction('write'))
    // expectRefusal: a refusal the test means to provoke (any other way, it would fail the test at its end).
    const second = await inTest(runtime, 'user', () => expectRefusal(() => first.result.execute({ sql: "insert into notes (text) values ('x')", args: [] })))
    expect(second.result).toBeInstanceOf(CrossTestError)
    expect((second.result as Error).message).toMatch(/opened in test "opener" was used by test "user"/)
    await first.end()
    await second.end()
  })

  test('close() closes only the calling test\'s client', async () => {
    const runtime = await makeRuntime()
    const client = testLibsqlClient()
    const closer = await inTest(runtime, 'closer', async () => {
      client.close()
      return { closed: client.closed, error: await client.execute('select 1').catch((error: { code?: string }) => error.code) }
    })
    const other = await inTest(runtime, 'other', async () => ({ closed: client.closed, rows: await notes(client) }))
    expect(closer.result).toEqual({ closed: true, error: 'CLIENT_CLOSED' })
    expect(other.result).toEqual({ closed: false, rows: [] })
    await closer.end()
    await other.end()
  })

  test("isolation: 'savepoint' is refused with the reason", async () => {
    const runtime = await makeRuntime({ isolation: 'savepoint' })
    const client = testLibsqlClient()
    const { result, end } = await inTest(runtime, 'savepoint', async () => client.execute('select 1').catch((error: unknown) => error))
    await end()
    expect(result).toBeInstanceOf(LibsqlFixtureError)
    expect((result as Error).message).toMatch(/isolation: 'savepoint'/)
  })
})
