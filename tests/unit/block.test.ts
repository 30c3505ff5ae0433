import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { Block } from '../../src/core/lifecycle/block.js'
import { currentDb } from '../../src/core/access/current.js'
import { runInBlock, runInScope } from '../../src/core/lifecycle/owner.js'
import { finishFile } from '../../src/core/lifecycle/refusals.js'
import { prebuildTemplate as prebuild } from '../../src/core/template/prebuild.js'
import { importProjectModule } from '../../src/core/base/module-import.js'
import type { ResolvedOptions } from '../../src/core/base/options.js'
import { ormMigrationSteps } from '../../src/orm-migrations.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import { defineLayer } from '../../src/core/base/layer.js'

let root: string
const runtimes: FixtureRuntime[] = []

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-block-'))
  fs.writeFileSync(path.join(root, 'schema.sql'), 'create table customers (id integer primary key, name text not null);')
  fs.writeFileSync(path.join(root, 'seed.sql'), "insert into customers (name) values ('Seeded');")
})

afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.close()
  fs.rmSync(root, { recursive: true, force: true })
})

const options = (extra: object = {}) => resolveOptions({ rootDir: root, schema: 'schema.sql', seed: 'seed.sql', cacheDir: 'cache', ...extra })

/** What a main process builds and hands over, as the plugin and Jest's global setup do. */
const prebuildTemplate = (resolved: ResolvedOptions) => prebuild(resolved, { stepsOf: ormMigrationSteps, importModule: importProjectModule })

/** A runtime over the template a main process built and handed over, as the plugin's workers get it. */
async function handedOverRuntime(extra: object = {}): Promise<FixtureRuntime> {
  const resolved = options(extra)
  const runtime = new FixtureRuntime(resolved, [], await prebuildTemplate(resolved))
  runtimes.push(runtime)
  return runtime
}

const names = (db: Database) => db.prepare('select name from customers order by id').pluck().all()
const add = (db: Database, name: string) => db.prepare('insert into customers (name) values (?)').run(name)

/** Runs `body` as one test of `block`, as a runner adapter would. */
async function asTest<T>(runtime: FixtureRuntime, block: Block | undefined, body: (db: Database) => T): Promise<T> {
  const scope = runtime.openScope('a test', undefined, block)
  try {
    return await runInScope(scope, async () => body(currentDb()))
  } finally {
    await scope.dispose()
  }
}

describe('a template handed over by a main process', () => {
  test('needs no preparation: its bytes are read on the first database', async () => {
    const runtime = await handedOverRuntime()
    expect(runtime.needsPrepare).toBe(false)
    expect(await asTest(runtime, undefined, names)).toEqual(['Seeded'])
  })

  test('is not used when the worker options describe another template', async () => {
    const resolved = options()
    const runtime = new FixtureRuntime(options({ cacheKey: 'other' }), [], await prebuildTemplate(resolved))
    runtimes.push(runtime)
    expect(runtime.needsPrepare).toBe(true)
  })

  test.each([
    ['sync', (db: Database) => void add(db, 'From a function')],
    ['async', async (db: Database) => void (await Promise.resolve(), add(db, 'From a function'))],
  ])('a %s seed function is built by Jest\'s global setup, and the workers use it as built', async (_, seed) => {
    const resolved = options({ seed })
    const runtime = new FixtureRuntime(resolved, [], await prebuildTemplate(resolved))
    runtimes.push(runtime)
    expect(runtime.needsPrepare).toBe(false)
    expect(await asTest(runtime, undefined, names)).toEqual(['From a function'])
  })

  test('a schema error met by the main process is reported where a database is used', async () => {
    fs.writeFileSync(path.join(root, 'schema.sql'), 'create tabel customers (id integer);')
    const runtime = await handedOverRuntime()
    await expect(asTest(runtime, undefined, names)).rejects.toMatchObject({ name: 'SchemaError', code: 'SQLITE_FIXTURES_SCHEMA' })
  })
})

describe('a block', () => {
  test("its setup writes the data every test of the block starts from, each on its own copy", async () => {
    const runtime = await handedOverRuntime()
    const block = new Block('orders', undefined, () => runtime)
    add(block.setupScope().get('db'), 'Block')
    await block.freeze()
    expect(await asTest(runtime, block, (db) => (add(db, 'Test'), names(db)))).toEqual(['Seeded', 'Block', 'Test'])
    expect(await asTest(runtime, block, names)).toEqual(['Seeded', 'Block'])
    expect(await asTest(runtime, undefined, names)).toEqual(['Seeded'])
    await block.drop()
  })

  test('the info a layer gets about a test in a block, or about its setup, holds its name, id and failed alone', async () => {
    const runtime = await handedOverRuntime()
    const block = new Block('orders', undefined, () => runtime)
    const setup = block.setupScope()
    add(setup.get('db'), 'Block')
    await block.freeze()
    const scope = runtime.openScope('a test', undefined, block)
    // Its database still comes from the block's data.
    expect(names(scope.get('db'))).toEqual(['Seeded', 'Block'])
    for (const test of [setup.test, scope.test]) {
      expect(test).toStrictEqual({ name: test.name, id: test.id, failed: false })
      expect(Reflect.ownKeys({ ...test })).toEqual(['name', 'id', 'failed'])
    }
    await scope.dispose()
    await block.drop()
  })

  test("a nested block starts from its parent's data", async () => {
    const runtime = await handedOverRuntime()
    const parent = new Block('parent', undefined, () => runtime)
    add(parent.setupScope().get('db'), 'Parent')
    await parent.freeze()
    const child = new Block('child', parent, () => runtime)
    add(child.setupScope().get('db'), 'Child')
    await child.freeze()
    expect(await asTest(runtime, child, names)).toEqual(['Seeded', 'Parent', 'Child'])
    expect(await asTest(runtime, parent, names)).toEqual(['Seeded', 'Parent'])
  })

  test('a block whose setup wrote nothing gives its tests the parent template, and never asks for the runtime', async () => {
    const runtime = await handedOverRuntime()
    const block = new Block('empty', undefined, () => {
      throw new Error('the runtime should not be needed')
    })
    await block.freeze()
    expect(block.image()).toBeUndefined()
    expect(await asTest(runtime, block, names)).toEqual(['Seeded'])
    await block.drop()
  })

  test("in a block's setup, currentDb() answers the block's database, and is refused, for the file to report, once its tests started", async () => {
    const runtime = await handedOverRuntime()
    const block = new Block('customers', undefined, () => runtime)
    await runInBlock(block, async () => {
      add(currentDb(), 'From currentDb')
      await block.freeze()
      expect(() => currentDb()).toThrow('sqlite-fixtures: "customers" has started its tests, so its setup has ended')
    })
    expect((await finishFile(undefined)).map((error) => error.name)).toEqual(['LateWorkError'])
    expect(await asTest(runtime, block, names)).toEqual(['Seeded', 'From currentDb'])
  })

  test('a nested block has a setup of its own, apart from its parent', async () => {
    const runtime = await handedOverRuntime()
    const outer = new Block('outer', undefined, () => runtime)
    const inner = new Block('inner', outer, () => runtime)
    await runInBlock(outer, async () => {
      await outer.freeze()
      await runInBlock(inner, async () => {
        add(currentDb(), 'Inner')
        await inner.freeze()
      })
    })
    expect(await asTest(runtime, inner, names)).toEqual(['Seeded', 'Inner'])
    await inner.drop()
    await outer.drop()
  })

  test("isolation 'savepoint' gives a block's tests one kept copy of the block's template", async () => {
    const runtime = await handedOverRuntime({ isolation: 'savepoint' })
    const block = new Block('kept', undefined, () => runtime)
    add(block.setupScope().get('db'), 'Block')
    await block.freeze()
    expect(await asTest(runtime, block, (db) => (add(db, 'Rolled back'), names(db)))).toEqual(['Seeded', 'Block', 'Rolled back'])
    expect(await asTest(runtime, block, names)).toEqual(['Seeded', 'Block'])
    await block.drop()
  })
})

describe('the seed', () => {
  // A layer whose template step makes a table, as an ORM's migrations do.
  const migrations = defineLayer({
    name: 'migrations',
    setup: () => undefined,
    templateSteps: () => [{ name: 'migrations', fingerprint: 'orders v1', apply: (db) => void db.exec('create table orders (id integer primary key, total integer)') }],
  })
  const seedOrders = { seed: (db: Database) => void db.prepare('insert into orders (total) values (42)').run() }
  const orders = (db: Database) => db.prepare('select total from orders').pluck().all()

  test("runs after the layers' template steps, so it can fill the tables an ORM's migrations make", async () => {
    const runtime = new FixtureRuntime(options({ seed: seedOrders.seed, layers: [migrations] }))
    runtimes.push(runtime)
    await runtime.prepare()
    expect(await asTest(runtime, undefined, orders)).toEqual([42])
  })

  test('does so on top of a template a main process built too', async () => {
    const main = options({ seed: 'seed.sql' })
    fs.writeFileSync(path.join(root, 'seed.sql'), 'insert into orders (total) values (7);')
    // The main process cannot see the layer, so it cannot build this schema and seed: it reports the error it met.
    const handoff = await prebuildTemplate(main)
    const runtime = new FixtureRuntime(options({ seed: 'seed.sql', layers: [migrations] }), [], handoff)
    runtimes.push(runtime)
    await runtime.prepare()
    expect(await asTest(runtime, undefined, orders)).toEqual([7])
  })
})
