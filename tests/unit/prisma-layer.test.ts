import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { PrismaClient } from '../../fixtures/prisma-app/src/generated/prisma/client.js'
import { Block } from '../../src/core/lifecycle/block.js'
import { runInBlock, runInScope } from '../../src/core/lifecycle/owner.js'
import { finishFile } from '../../src/core/lifecycle/refusals.js'
import { SchemaError, SqliteFixturesConfigError } from '../../src/core/base/errors.js'
import type { SqliteFixturesOptions } from '../../src/core/base/options.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import { migrator, prismaLayer, PrismaLayerError, testPrismaAdapter } from '../../src/prisma/index.js'
import { repoRoot } from '../support/run-vitest.js'
import { ormMigrationSteps } from '../../src/orm-migrations.js'

const sampleMigrations = path.join(repoRoot, 'fixtures/prisma-app/prisma/migrations')

const roots: string[] = []
const runtimes: FixtureRuntime[] = []
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.close()
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true })
})

function tempDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-prisma-'))
  roots.push(root)
  return root
}

/** A copy of the sample's migrations, to break or change. */
function copyOfMigrations(): string {
  const folder = path.join(tempDir(), 'prisma/migrations')
  fs.cpSync(sampleMigrations, folder, { recursive: true })
  return folder
}

async function runtimeFor(client: PrismaClient, options: Omit<SqliteFixturesOptions, 'migrations'> & { migrations?: string } = {}) {
  const { migrations = sampleMigrations, ...rest } = options
  // The project root holds prisma/migrations; errors name migration files relative to it.
  const rootDir = path.dirname(path.dirname(migrations))
  const runtime = new FixtureRuntime(
    resolveOptions({ rootDir, cacheDir: tempDir(), layers: [prismaLayer({ client, migrations })], ...rest }),
    [],
    undefined,
    ormMigrationSteps,
  )
  runtimes.push(runtime)
  const template = await runtime.prepare()
  /**
   * Runs `fn` as one test, with its own scope, disposed afterwards. Awaited inside the scope,
   * as a test function does: a Prisma query starts when it is awaited, not when it is made.
   */
  const inTest = async <T>(name: string, fn: () => PromiseLike<T>): Promise<T> => {
    const scope = runtime.openScope(name)
    try {
      return await runInScope(scope, async () => await fn())
    } finally {
      await scope.dispose()
    }
  }
  return { runtime, template, inTest }
}

const newClient = () => new PrismaClient({ adapter: testPrismaAdapter() })

describe('migrations', () => {
  test('are applied once on the template, and a changed migration rebuilds it', async () => {
    const migrations = copyOfMigrations()
    const cacheDir = tempDir()
    const first = await runtimeFor(newClient(), { migrations, cacheDir })
    expect(first.template.built).toBe(true)
    expect((await runtimeFor(newClient(), { migrations, cacheDir })).template.built).toBe(false)
    fs.appendFileSync(path.join(migrations, '20250301120000_points_status_readings/migration.sql'), '\nCREATE INDEX "Order_status_idx" ON "Order"("status");\n')
    const changed = await runtimeFor(newClient(), { migrations, cacheDir })
    expect(changed.template.built).toBe(true)
    expect(changed.template.key).not.toBe(first.template.key)
  })

  test('a failing migration is named, with its line and statement', async () => {
    const migrations = copyOfMigrations()
    const broken = path.join(migrations, '20250401000000_broken')
    fs.mkdirSync(broken)
    fs.writeFileSync(path.join(broken, 'migration.sql'), '-- AlterTable\nALTER TABLE "Customer" ADD COLUMN "phone" TEXT;\n\n-- CreateIndex\nCREATE INDEX "Order_note_idx" ON "Order"("note");\n')
    const failure = runtimeFor(newClient(), { migrations })
    await expect(failure).rejects.toBeInstanceOf(SchemaError)
    await expect(failure).rejects.toThrow(
      'sqlite-fixtures: Prisma migration 20250401000000_broken failed while building the template: no such column: "note"',
    )
    await expect(failure).rejects.toThrow(
      '  at prisma/migrations/20250401000000_broken/migration.sql:5: CREATE INDEX "Order_note_idx" ON "Order"("note");\n' +
        '  The migrations run in order on an empty database, as `prisma migrate deploy` runs them: fix this one, and run the tests again.',
    )
  })

  test('a folder that is missing, empty, for another database or not a migration is refused, saying what to do', async () => {
    const root = tempDir()
    await expect(runtimeFor(newClient(), { migrations: path.join(root, 'nowhere') })).rejects.toThrow(
      /migrations folder .*nowhere does not exist\. .*prisma migrate diff --from-empty --to-schema prisma\/schema\.prisma --script/,
    )
    fs.mkdirSync(path.join(root, 'empty'))
    await expect(runtimeFor(newClient(), { migrations: path.join(root, 'empty') })).rejects.toThrow(/holds no migrations/)
    const postgres = copyOfMigrations()
    fs.writeFileSync(path.join(postgres, 'migration_lock.toml'), 'provider = "postgresql"\n')
    await expect(runtimeFor(newClient(), { migrations: postgres })).rejects.toThrow(/are for provider "postgresql".*but the test databases are SQLite/)
    const stray = copyOfMigrations()
    fs.mkdirSync(path.join(stray, 'notes'))
    await expect(runtimeFor(newClient(), { migrations: stray })).rejects.toThrow(SqliteFixturesConfigError)
    await expect(runtimeFor(newClient(), { migrations: stray })).rejects.toThrow(/notes has no migration\.sql/)
  })
})

describe('the client', () => {
  test('reaches each test its own clone, and outside a test says so', async () => {
    const prisma = newClient()
    const { inTest } = await runtimeFor(prisma)
    for (const name of ['Ada', 'Grace']) {
      await inTest(name, async () => {
        await prisma.customer.create({ data: { email: `${name}@example.com`, name } })
        expect((await prisma.customer.findMany()).map((c) => c.name)).toEqual([name])
      })
    }
    await expect(prisma.customer.count()).rejects.toThrow(/currentDb\(\) was called outside a test/)
  })

  test('concurrent tests each see their own database, also when Prisma batches their requests together', async () => {
    const prisma = newClient()
    const { inTest } = await runtimeFor(prisma)
    const names = ['a', 'b', 'c', 'd', 'e']
    const seen = await Promise.all(
      names.map((name) =>
        inTest(name, async () => {
          await prisma.customer.create({ data: { id: 1, email: `${name}@example.com`, name } })
          // Made in the same tick by every test: Prisma batches these findUnique calls.
          const found = await prisma.customer.findUnique({ where: { id: 1 } })
          const [count, again] = await prisma.$transaction([prisma.customer.count(), prisma.customer.findUnique({ where: { id: 1 } })])
          const inside = await prisma.$transaction(async (tx) => {
            await tx.customer.update({ where: { id: 1 }, data: { name: `${name}!` } })
            return tx.customer.findUniqueOrThrow({ where: { id: 1 } })
          })
          return [found?.name, count, again?.name, inside.name]
        }),
      ),
    )
    expect(seen).toEqual(names.map((name) => [name, 1, name, `${name}!`]))
  })

  test('without prismaLayer, concurrent use is refused with the reason', async () => {
    const unregistered = newClient()
    const { inTest } = await runtimeFor(newClient())
    const results = await Promise.allSettled(['a', 'b'].map((name) => inTest(name, () => unregistered.customer.count())))
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(
      /uses Prisma while other tests \(or describe blocks' beforeAll hooks\) run at the same time, on a PrismaClient that prismaLayer\(\{ client \}\) was not given: Prisma sends requests made in the same tick together/,
    )
    // One test at a time is fine.
    expect(await inTest('alone', () => unregistered.customer.count())).toBe(0)
  })

  test("without prismaLayer, two describe blocks setting up at once are refused too, not answered from each other's database", async () => {
    const unregistered = newClient()
    const { runtime } = await runtimeFor(newClient())
    const blocks = ['block A', 'block B'].map((name) => new Block(name, undefined, () => runtime))
    // Each block's beforeAll writes its own customer, then reads, while the other does the same.
    const setups = blocks.map((block, i) =>
      runInBlock(block, async () => {
        block.setupScope().get('db').prepare("insert into Customer (email, name) values (?, 'x')").run(`${i}@example.com`)
        await new Promise((resolve) => setTimeout(resolve, 5))
        return unregistered.customer.findUnique({ where: { email: `${i}@example.com` } })
      }),
    )
    const results = await Promise.allSettled(setups)
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/uses Prisma while other tests \(or describe blocks' beforeAll hooks\) run at the same time/)
    for (const block of blocks) await block.drop()
    // Refusals, kept for the file to report even if the app swallowed Prisma's errors.
    expect((await finishFile(undefined)).map((error) => error.message)).toEqual([
      expect.stringContaining('"block A (beforeAll)" uses Prisma while other tests'),
      expect.stringContaining('"block B (beforeAll)" uses Prisma while other tests'),
    ])
  })

  test('a client on the app database is refused by the layer', () => {
    const production = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: 'file:never-opened.db' }) })
    expect(() => prismaLayer({ client: production })).toThrow(PrismaLayerError)
    expect(() => prismaLayer({ client: production })).toThrow(/is not built on testPrismaAdapter\(\), so its queries would reach your app's own database/)
    expect(fs.existsSync('never-opened.db')).toBe(false)
    expect(() => prismaLayer({ client: {} as PrismaClient })).toThrow(/needs your PrismaClient/)
    expect(() => prismaLayer({ client: production, migrationsFolder: 'prisma/migrations' } as never)).toThrow(
      'prismaLayer() has no option "migrationsFolder". Did you mean "migrations"? Known options: client, migrations.',
    )
  })

  test('testPrismaAdapter refuses options it does not have', () => {
    expect(() => testPrismaAdapter({ url: 'file:app.db' } as never)).toThrow(
      'sqlite-fixtures: testPrismaAdapter() has no option "url" (it takes only timestampFormat; the database is the test\'s own).',
    )
    expect(() => testPrismaAdapter({ timestampFormat: 'unix' as never })).toThrow(/must be 'iso8601' or 'unixepoch-ms', got "unix"/)
  })

  /** Runs a test that ends with a Prisma transaction still open, waiting on `gate`; resolves to that transaction. */
  async function leaveTransactionOpen(
    prisma: PrismaClient,
    inTest: Awaited<ReturnType<typeof runtimeFor>>['inTest'],
    gate: Promise<void>,
  ): Promise<{ left: Promise<unknown> }> {
    let left: Promise<unknown> = Promise.resolve()
    await inTest('leaves a transaction open', async () => {
      left = prisma.$transaction(async (tx) => {
        await tx.customer.create({ data: { email: 'a@example.com', name: 'A' } })
        await gate
      }, { timeout: 60_000 })
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    // Wrapped, so that awaiting this function does not await the transaction.
    return { left }
  }

  test('a transaction a test leaves open does not hold up the next test', async () => {
    const prisma = newClient()
    const { inTest } = await runtimeFor(prisma)
    let release = () => {}
    const { left } = await leaveTransactionOpen(prisma, inTest, new Promise<void>((resolve) => (release = resolve)))
    // Held up, this would wait for release() below, which it never reaches: the test would time out.
    expect(await inTest('next', () => prisma.$transaction(async (tx) => tx.customer.count()))).toBe(0)
    release()
    // The abandoned transaction fails when it tries to commit: its test has ended, and the
    // commit is refused as work it left running. Prisma wraps the refusal in its own
    // DriverAdapterError, keeping our code; the refusal is also kept for the file to report.
    await expect(left).rejects.toMatchObject({ cause: { originalCode: 'SQLITE_FIXTURES_LATE_WORK' } })
    expect((await finishFile(undefined)).map((error) => error.message)).toEqual([
      expect.stringContaining('Prisma ran a query of test "leaves a transaction open" after that test ended'),
    ])
  })

  test("a transaction rolled back after its test ended does nothing, and later tests are left alone (isolation 'savepoint')", async () => {
    const prisma = newClient()
    const { inTest } = await runtimeFor(prisma, { isolation: 'savepoint' })
    let fail = () => {}
    const { left } = await leaveTransactionOpen(prisma, inTest, new Promise<void>((_, reject) => (fail = () => reject(new Error('failed late')))))
    // After its test: Prisma sends its ROLLBACK from the ended test's work. The database went
    // with the test, so there is nothing to undo: it does nothing, and is not refused either.
    fail()
    await expect(left).rejects.toThrow('failed late')
    expect((await finishFile(undefined))).toEqual([])
    for (const name of ['next', 'the one after']) expect(await inTest(name, () => prisma.customer.count())).toBe(0)
  })

  test("under isolation 'savepoint', Prisma's transactions nest in the test's and roll back with it", async () => {
    const prisma = newClient()
    const { inTest } = await runtimeFor(prisma, { isolation: 'savepoint' })
    await inTest('first', async () => {
      await prisma.$transaction(async (tx) => tx.customer.create({ data: { email: 'a@example.com', name: 'committed' } }))
      await expect(
        prisma.$transaction(async (tx) => {
          await tx.customer.create({ data: { email: 'b@example.com', name: 'rolled back' } })
          throw new Error('abort')
        }),
      ).rejects.toThrow('abort')
      await prisma.$transaction([prisma.customer.create({ data: { email: 'c@example.com', name: 'batch' } })])
      expect((await prisma.customer.findMany({ orderBy: { id: 'asc' } })).map((c) => c.name)).toEqual(['committed', 'batch'])
    })
    expect(await inTest('second', () => prisma.customer.count())).toBe(0)
  })
})

describe('migrator()', () => {
  test('a data migration keeps the prices it finds, from REAL to DECIMAL', async () => {
    const m = migrator({ migrations: sampleMigrations })
    try {
      expect(m.pending()).toEqual(['20250110093000_init', '20250301120000_points_status_readings'])
      m.upTo('20250110093000_init')
      m.db.prepare('insert into "Product" (sku, name, price, stock) values (?, ?, ?, ?)').run('tea', 'Tea', 4.5, 3)
      m.upToLatest()
      expect(m.applied()).toEqual(['20250110093000_init', '20250301120000_points_status_readings'])
      const prisma = new PrismaClient({ adapter: m.adapter() })
      const tea = await prisma.product.findUniqueOrThrow({ where: { sku: 'tea' } })
      expect(tea.price.toString()).toBe('4.5')
      expect(await prisma.customer.findMany()).toEqual([])
      await prisma.$disconnect()
    } finally {
      m.close()
    }
  })

  test('names what it cannot do', () => {
    const m = migrator({ migrations: sampleMigrations })
    try {
      expect(() => m.upTo('20991231000000_later')).toThrow(
        'sqlite-fixtures: no migration is named 20991231000000_later. Pending: 20250110093000_init, 20250301120000_points_status_readings.',
      )
      m.upToLatest()
      expect(() => m.upTo('20250110093000_init')).toThrow('sqlite-fixtures: already applied: 20250110093000_init. Pending: none.')
    } finally {
      m.close()
    }
  })
})
