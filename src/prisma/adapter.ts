import { currentScope, liveOwners, refuse, type TestScope } from '../core/lifecycle/index.js'
import { testConnection } from './connection.js'
import { PrismaLayerError } from './errors.js'
import { officialAdapterClass } from './official.js'
import type { DriverAdapter, DriverAdapterFactory, TestPrismaAdapterOptions } from './types.js'

const adapterName = '@prisma/adapter-better-sqlite3'

/** Factories made by `testPrismaAdapter()`, and whether their client keeps each test's request batches apart. */
const factories = new WeakMap<object, { batchesKept: boolean }>()

/** Whether `adapter` (a client's adapter factory) was made by `testPrismaAdapter()`. */
export function isTestAdapter(adapter: unknown): adapter is object {
  return typeof adapter === 'object' && adapter !== null && factories.has(adapter)
}

/** Records that the client on this factory keeps each test's request batches apart (see batches.ts). */
export function markBatchesKept(adapter: object): void {
  const state = factories.get(adapter)
  if (state) state.batchesKept = true
}

/**
 * One adapter for the life of a PrismaClient, answering each call with an adapter of the
 * test it runs in: Prisma's own adapter class, made on the test's first query, over the
 * test's database. Each test has its own, so a transaction open in one test (Prisma's
 * adapter holds a lock for its duration) never makes another test wait.
 */
class TestFollowingAdapter implements DriverAdapter {
  readonly provider = 'sqlite'
  readonly adapterName: string
  /** Prisma's own adapter over a test's database. */
  readonly #make: (scope: TestScope) => DriverAdapter
  readonly #state: { batchesKept: boolean }
  readonly #perTest = new WeakMap<TestScope, DriverAdapter>()

  constructor(name: string, make: (scope: TestScope) => DriverAdapter, state: { batchesKept: boolean }) {
    this.adapterName = name
    this.#make = make
    this.#state = state
  }

  #current(): DriverAdapter {
    const scope = currentScope()
    // A refusal: the test fails with it even if the app swallows Prisma's error.
    if (!this.#state.batchesKept && liveOwners() > 1) throw refuse(unsafeConcurrency(scope.test.name))
    let adapter = this.#perTest.get(scope)
    if (!adapter) {
      adapter = this.#make(scope)
      this.#perTest.set(scope, adapter)
    }
    return adapter
  }

  queryRaw(query: Parameters<DriverAdapter['queryRaw']>[0]): ReturnType<DriverAdapter['queryRaw']> {
    return this.#current().queryRaw(query)
  }

  executeRaw(query: Parameters<DriverAdapter['executeRaw']>[0]): ReturnType<DriverAdapter['executeRaw']> {
    return this.#current().executeRaw(query)
  }

  executeScript(script: string): Promise<void> {
    return this.#current().executeScript(script)
  }

  startTransaction(isolationLevel?: Parameters<DriverAdapter['startTransaction']>[0]): ReturnType<DriverAdapter['startTransaction']> {
    return this.#current().startTransaction(isolationLevel)
  }

  /** Nothing to release: each test's database is closed by the plugin when the test ends. */
  dispose(): Promise<void> {
    return Promise.resolve()
  }
}

const timestampFormats = ['iso8601', 'unixepoch-ms']

/** The official adapter would fail later, and less clearly, on a bad option: say so here. */
function checkOptions(options: TestPrismaAdapterOptions | undefined): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null) {
    throw new PrismaLayerError(`sqlite-fixtures: testPrismaAdapter(options) takes an object, got ${String(options)}.`)
  }
  for (const key of Object.keys(options)) {
    if (key !== 'timestampFormat') {
      throw new PrismaLayerError(
        `sqlite-fixtures: testPrismaAdapter() has no option "${key}" (it takes only timestampFormat; the database is the test's own).`,
      )
    }
  }
  if (options.timestampFormat !== undefined && !timestampFormats.includes(options.timestampFormat)) {
    throw new PrismaLayerError(
      `sqlite-fixtures: testPrismaAdapter({ timestampFormat }) must be 'iso8601' or 'unixepoch-ms', got ${JSON.stringify(options.timestampFormat)}.`,
    )
  }
}

function unsafeConcurrency(test: string): PrismaLayerError {
  return new PrismaLayerError(
    `sqlite-fixtures: "${test}" uses Prisma while other tests (or describe blocks' beforeAll hooks) run at the same time, on a PrismaClient that ` +
      'prismaLayer({ client }) was not given: Prisma sends requests made in the same tick together (one findUnique ' +
      "query for several callers), so it could answer this test from another test's database. Register " +
      'prismaLayer({ client: prisma }) with this client, or drop .concurrent.',
  )
}

/**
 * A driver adapter factory for `new PrismaClient({ adapter })` that puts the client on the
 * running test's own database: use it in the setup file where your app builds
 * `new PrismaBetterSqlite3({ url })`. Values are converted by Prisma's own better-sqlite3
 * adapter, so they are exactly what the app gets in production.
 */
export function testPrismaAdapter(options?: TestPrismaAdapterOptions): DriverAdapterFactory {
  return followingFactory(adapterName, options, async () => {
    const Adapter = await officialAdapterClass()
    return (scope) => new Adapter(testConnection(scope), options)
  })
}

/**
 * A factory whose adapter follows the running test, for any of Prisma's SQLite adapters:
 * `found()` resolves, once connected, to how Prisma's own adapter is made over a test's database.
 */
export function followingFactory(
  name: string,
  options: TestPrismaAdapterOptions | undefined,
  found: () => Promise<(scope: TestScope) => DriverAdapter>,
): DriverAdapterFactory {
  checkOptions(options)
  const state = { batchesKept: false }
  const factory: DriverAdapterFactory = {
    provider: 'sqlite',
    adapterName: name,
    connect: async () => new TestFollowingAdapter(name, await found(), state),
  }
  factories.set(factory, state)
  return factory
}
