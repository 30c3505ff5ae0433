import { defineLayer, type Layer, unknownOption } from '../core/base/index.js'
import { isTestAdapter, markBatchesKept } from './adapter.js'
import { keepBatchesPerTest } from './batches.js'
import { PrismaLayerError } from './errors.js'
import { prismaSet } from './migration-set.js'
import type { PrismaClientLike } from './types.js'

/** `ctx.prisma`'s type: the client type a project registers, else a client typed for its `$` methods only. */
type RegisteredPrismaClient = SqliteFixtures.Register extends { prismaClient: infer Client } ? Client : PrismaClientLike

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /**
       * Your PrismaClient (the one given to `prismaLayer`), on the test's own database.
       * Typed by `interface Register { prismaClient: PrismaClient }`.
       */
      prisma: RegisteredPrismaClient
    }
  }
}

export interface PrismaLayerOptions<Client extends object> {
  /**
   * Your PrismaClient, built on `testPrismaAdapter()` in the setup file: the object your app
   * imports there (through the mocked db module). `ctx.prisma` is this object.
   */
  client: Client
  /**
   * The Prisma migrations folder (`<name>/migration.sql` per migration), applied in order
   * once, on the template, unless the template the plugin built holds the same folder already
   * (`prismaMigrations()` in its options, the recommended place). Relative to the `rootDir`
   * option. Default `prisma/migrations`; `false` when the template gets its schema elsewhere.
   */
  migrations?: string | false
}

/** Reads a private field of the client: `undefined` when this Prisma version keeps it elsewhere. */
function adapterOf(client: object): unknown {
  return (client as { _engineConfig?: { adapter?: unknown } })._engineConfig?.adapter
}

/**
 * The Prisma layer: `ctx.prisma` is your own PrismaClient (built on `testPrismaAdapter()`),
 * and every query it runs, from the test or from app code, reaches the test's fresh
 * database. The project's migrations run once, on the template.
 */
export function prismaLayer<Client extends object>(options: PrismaLayerOptions<Client>): Layer<'prisma', Client, 'db'> {
  const { client } = options ?? {}
  const unknown = options && unknownOption(options, ['client', 'migrations'])
  if (unknown) {
    throw new PrismaLayerError(
      `sqlite-fixtures: prismaLayer() has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: client, migrations.`,
    )
  }
  if (typeof client !== 'object' || client === null || typeof (client as { $transaction?: unknown }).$transaction !== 'function') {
    throw new PrismaLayerError(
      'sqlite-fixtures: prismaLayer({ client }) needs your PrismaClient, built with new PrismaClient({ adapter: testPrismaAdapter() }).',
    )
  }
  const migrations = options.migrations ?? 'prisma/migrations'
  if (migrations !== false && (typeof migrations !== 'string' || migrations === '')) {
    throw new PrismaLayerError(`sqlite-fixtures: prismaLayer({ migrations }) must be a folder path, got ${JSON.stringify(migrations)}.`)
  }
  const adapter = adapterOf(client)
  if (adapter !== undefined && !isTestAdapter(adapter)) {
    throw new PrismaLayerError(
      'sqlite-fixtures: the PrismaClient given to prismaLayer is not built on testPrismaAdapter(), so its queries ' +
        "would reach your app's own database: is your db module mocked? In the setup file, replace it " +
        '(vi.mock or jest.mock) with one whose client is new PrismaClient({ adapter: testPrismaAdapter() }), ' +
        'and give prismaLayer that client.',
    )
  }
  // Concurrent tests stay apart only if each test's requests are batched apart; else the
  // adapter refuses concurrent use with the reason.
  if (isTestAdapter(adapter) && keepBatchesPerTest(client)) markBatchesKept(adapter)

  return defineLayer({
    name: 'prisma',
    dependsOn: ['db'],
    ...(migrations === false ? {} : { migrations: prismaSet(migrations) }),
    setup: () => client,
  })
}
