import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, expect, onTestFinished, test, vi } from 'vitest'
import { SchemaError } from '../../src/core/base/errors.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { loadTemplate, optionSteps } from '../../src/core/template/template.js'

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
  return loadTemplate(optionSteps(resolved), resolved)
}

test('a folder of schema files is applied in name order, then the seed', async () => {
  const steps = optionSteps(options())
  expect(steps.map((step) => step.name)).toEqual(['schema/001_customers.sql', 'schema/002_orders.sql', 'seed.sql'])
  const db = new Database((await load()).image)
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
  expect(fs.readdirSync(path.join(root, 'cache'))).toEqual([path.basename(first.file)])
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
