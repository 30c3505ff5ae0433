import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, onTestFinished, test, vi } from 'vitest'
import { SchemaError } from '../../src/core/base/errors.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { importProjectModule } from '../../src/core/base/module-import.js'
import { loadTemplate, templateRecipe } from '../../src/core/template/template.js'
import { ormMigrationSteps } from '../../src/orm-migrations.js'

let root: string

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-unit-'))
  fs.mkdirSync(path.join(root, 'schema'))
  fs.writeFileSync(path.join(root, 'schema', '002_orders.sql'), 'create table orders (id integer primary key, customer_id integer references customers(id));')
  fs.writeFileSync(path.join(root, 'schema', '001_customers.sql'), 'create table customers (id integer primary key);')
  fs.writeFileSync(path.join(root, 'schema', 'notes.txt'), 'not sql')
  fs.writeFileSync(path.join(root, 'seed.sql'), 'insert into customers values (1);')
  return () => fs.rmSync(root, { recursive: true, force: true })
})

const options = (extra: object = {}) =>
  resolveOptions({ rootDir: root, schema: 'schema', seed: 'seed.sql', cacheDir: 'cache', ...extra })

async function load(extra: object = {}) {
  const resolved = options(extra)
  const recipe = templateRecipe(resolved, { schema: true, sets: resolved.migrations }, { stepsOf: ormMigrationSteps, importModule: importProjectModule })
  return loadTemplate(recipe, resolved)
}

test('a folder of schema files is applied in name order, then the seed', async () => {
  const template = await load()
  expect(template.steps).toEqual(['schema/001_customers.sql', 'schema/002_orders.sql', 'seed.sql'])
  const db = new Database(template.image)
  expect(db.prepare('select count(*) from customers').pluck().get()).toBe(1)
})

test('the template is built once, then read from the cache', async () => {
  const first = await load()
  const second = await load()
  expect(first.built).toBe(true)
  expect(second.built).toBe(false)
  expect(second.file).toBe(first.file)
  expect(second.image.equals(first.image)).toBe(true)
  expect(fs.statSync(first.file).mode & 0o777).toBe(0o600)
  expect(fs.statSync(path.dirname(first.file)).mode & 0o777).toBe(0o700)
})

test('a changed schema file rebuilds the template', async () => {
  const first = await load()
  fs.appendFileSync(path.join(root, 'schema', '002_orders.sql'), '\ncreate index orders_by_customer on orders(customer_id);')
  const second = await load()
  expect(second.built).toBe(true)
  expect(second.key).not.toBe(first.key)
})

test('a renamed schema file or a new cacheKey rebuilds the template', async () => {
  const first = await load()
  expect((await load({ cacheKey: 'v2' })).key).not.toBe(first.key)
  fs.renameSync(path.join(root, 'seed.sql'), path.join(root, 'seed2.sql'))
  expect((await load({ seed: 'seed2.sql' })).key).not.toBe(first.key)
})

test('a seed function runs on the template, with foreign keys on', async () => {
  const template = await load({
    seed: (db: Database.Database) => {
      db.prepare('insert into customers values (7)').run()
    },
  })
  const db = new Database(template.image)
  expect(db.prepare('select id from customers').pluck().all()).toEqual([7])
  await expect(
    load({ seed: (db: Database.Database) => void db.prepare('insert into orders values (1, 99)').run() }),
  ).rejects.toThrow(/the seed function failed: FOREIGN KEY constraint failed/)
})

test('a seed file that breaks a foreign key fails the build, naming the file and statement', async () => {
  fs.writeFileSync(path.join(root, 'seed.sql'), 'insert into customers values (1);\ninsert into orders values (1, 99);')
  const failure = load()
  await expect(failure).rejects.toBeInstanceOf(SchemaError)
  await expect(failure).rejects.toThrow(/seed\.sql:2 failed: FOREIGN KEY constraint failed/)
})

test('a schema path that does not exist, or is not .sql, is a configuration error naming it', async () => {
  await expect(load({ schema: 'missing' })).rejects.toThrow(/option "schema" names .*missing, which does not exist/)
  await expect(load({ schema: 'schema/notes.txt' })).rejects.toThrow(/notes\.txt, which is not a \.sql file/)
})

test('a failed build leaves no cache file behind', async () => {
  fs.writeFileSync(path.join(root, 'seed.sql'), 'insert into nowhere values (1);')
  await expect(load()).rejects.toThrow(SchemaError)
  expect(fs.readdirSync(path.join(root, 'cache'))).toEqual([])
})

test('a truncated or corrupted cache file is detected by its checksum, removed and rebuilt', async () => {
  const first = await load()
  fs.truncateSync(first.file, 1024)
  const rebuilt = await load()
  expect(rebuilt.built).toBe(true)
  expect(rebuilt.image.equals(first.image)).toBe(true)
  const bytes = fs.readFileSync(rebuilt.file)
  bytes[100] = (bytes[100] ?? 0) ^ 0xff
  fs.writeFileSync(rebuilt.file, bytes)
  expect((await load()).built).toBe(true)
  expect(fs.readdirSync(path.join(root, 'cache')).filter((name) => name.endsWith('.sqlite'))).toEqual([path.basename(first.file)])
})

test('an unwritable cache dir falls back to a private dir in the OS temp dir, and says so once', async () => {
  // The OS temp dir of this test is its own dir, removed after it: the fallback is left nowhere else.
  vi.stubEnv('TMPDIR', root)
  onTestFinished(() => void vi.unstubAllEnvs())
  fs.writeFileSync(path.join(root, 'a-file'), '')
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const template = await load({ cacheDir: 'a-file/cache' })
  await load({ cacheDir: 'a-file/cache' })
  expect(path.dirname(template.file)).toBe(path.join(os.tmpdir(), `sqlite-fixtures-cache-${process.getuid?.()}`))
  expect(warn).toHaveBeenCalledTimes(1)
  expect(warn.mock.calls[0]?.[0]).toMatch(/cannot write the template cache to .*a-file\/cache \(ENOTDIR\); using .* instead/)
  warn.mockRestore()
})

test('building a template prunes all but the 20 most recently used, and only templates', async () => {
  const cache = path.join(root, 'cache')
  fs.mkdirSync(cache)
  const old = new Date(Date.now() - 86_400_000)
  const names = Array.from({ length: 25 }, (_, i) => `template-${String(i).padStart(32, '0')}-${'a'.repeat(16)}.sqlite`)
  names.forEach((name, i) => {
    fs.writeFileSync(path.join(cache, name), '')
    const used = new Date(old.getTime() - i * 60_000) // names[0] is the most recent
    fs.utimesSync(path.join(cache, name), used, used)
  })
  fs.writeFileSync(path.join(cache, 'notes.txt'), 'not a template')
  await load()
  const left = fs.readdirSync(cache).sort()
  expect(left).toContain('notes.txt')
  expect(left.filter((name) => names.includes(name))).toEqual(names.slice(0, 19))
})

/** Puts every input's times `seconds` in the past, as files a build did not just write. */
function age(seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000)
  for (const file of [path.join(root, 'schema'), ...fs.readdirSync(path.join(root, 'schema')).map((name) => path.join(root, 'schema', name)), path.join(root, 'seed.sql')]) {
    fs.utimesSync(file, then, then)
  }
}

describe('the stat fast path', () => {
  test('when no input changed, the template is used without reading an input, hashing, or reading the template', async () => {
    age(60)
    const first = await load()
    const reads = vi.spyOn(fs, 'readFileSync')
    onTestFinished(() => void reads.mockRestore())
    const hashes = vi.spyOn(process, 'getBuiltinModule')
    onTestFinished(() => void hashes.mockRestore())
    const second = await load()
    expect(second.file).toBe(first.file)
    expect(second.steps).toEqual(first.steps)
    // The manifest is the one file read; no node:crypto for a key or a checksum.
    expect(reads.mock.calls.map(([file]) => path.basename(String(file)))).toEqual([expect.stringMatching(/^inputs-[0-9a-f]{14}\.json$/)])
    expect(hashes.mock.calls.filter(([name]) => name === 'node:crypto')).toEqual([])
    // The bytes are read on first use.
    expect(second.image.equals(first.image)).toBe(true)
  })

  test('a file changed in place (same size), a new file in a schema folder, or a new cacheKey falls back to hashing', async () => {
    age(60)
    const first = await load()
    fs.writeFileSync(path.join(root, 'seed.sql'), 'insert into customers values (2);')
    const edited = await load()
    expect([edited.built, edited.key === first.key]).toEqual([true, false])
    age(60)
    await load()
    fs.writeFileSync(path.join(root, 'schema', '003_notes.sql'), 'create table notes (id integer primary key);')
    const added = await load()
    expect(added.steps).toContain('schema/003_notes.sql')
    expect((await load({ cacheKey: 'v2' })).key).not.toBe(added.key)
  })

  test('an input changed within two seconds of the stats ("racy") is not trusted: the next run reads and hashes again', async () => {
    const first = await load() // the inputs were written just now
    const reads = vi.spyOn(fs, 'readFileSync')
    onTestFinished(() => void reads.mockRestore())
    expect((await load()).key).toBe(first.key)
    expect(reads.mock.calls.map(([file]) => path.basename(String(file)))).toContain('seed.sql')
  })

  test('a template file removed from the cache is rebuilt, not vouched for', async () => {
    age(60)
    const first = await load()
    fs.rmSync(first.file)
    const again = await load()
    expect(again.built).toBe(true)
    expect(fs.existsSync(again.file)).toBe(true)
  })
})

describe('a seed module', () => {
  test("runs its default export on the template; its file is part of the key, and it is loaded only to build", async () => {
    fs.writeFileSync(path.join(root, 'seed.mjs'), "export default (db) => db.prepare('insert into customers values (5)').run()\n")
    const first = await load({ seed: ['seed.sql', 'seed.mjs'] })
    expect(first.steps).toEqual(['schema/001_customers.sql', 'schema/002_orders.sql', 'seed.sql', 'seed module seed.mjs'])
    expect(new Database(first.image).prepare('select id from customers order by id').pluck().all()).toEqual([1, 5])
    fs.writeFileSync(path.join(root, 'seed.mjs'), "export default (db) => db.prepare('insert into customers values (6)').run()\n")
    // A new URL, so Node loads the edited module rather than its cached one.
    const seedFile = path.join(root, 'seed.mjs')
    const resolved = options({ seed: [seedFile] })
    const recipe = templateRecipe(resolved, { schema: true, sets: [] }, {
      stepsOf: ormMigrationSteps,
      importModule: (file) => import(`${pathToFileURL(file).href}?edited`),
    })
    const edited = await loadTemplate(recipe, resolved)
    expect(edited.key).not.toBe(first.key)
    expect(new Database(edited.image).prepare('select id from customers').pluck().all()).toEqual([6])
  })

  test('without a seed function to run, it is a schema error naming the module', async () => {
    fs.writeFileSync(path.join(root, 'seed.mjs'), 'export const data = []\n')
    await expect(load({ seed: 'seed.mjs' })).rejects.toThrow('the seed module seed.mjs exports no seed function: give it a default export (db) => { ... }.')
  })
})
