import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import { PrismaLayerError } from './errors.js'
import type { DriverAdapter, TestPrismaAdapterOptions } from './types.js'

/** What Prisma's better-sqlite3 adapter uses of its connection. */
export interface AdapterConnection {
  prepare(source: string): BetterSqlite3.Statement<unknown[], unknown>
  exec(source: string): unknown
  close(): unknown
}

/** The class of Prisma's own better-sqlite3 adapter: `new (connection, options)`. */
export type OfficialAdapterClass = new (connection: AdapterConnection, options?: TestPrismaAdapterOptions) => DriverAdapter

let found: Promise<OfficialAdapterClass> | undefined

// Loaded on first use, so apps on @prisma/adapter-libsql (sqlite-fixtures/prisma/libsql) need not install it.
const require = createRequire(import.meta.url)
const officialPackage = () => require('@prisma/adapter-better-sqlite3') as typeof import('@prisma/adapter-better-sqlite3')

/**
 * The class of the adapter that `@prisma/adapter-better-sqlite3` builds in `connect()`. The
 * package exports only its factory, which opens a file itself; the adapter class it makes
 * takes the connection as an argument. Reusing that class over the test's database keeps
 * every value conversion (safe integers, dates, decimals, BigInt, booleans, JSON, bytes)
 * and error mapping exactly Prisma's own. Found once per process, by connecting the official
 * factory to a throwaway in-memory database.
 */
export function officialAdapterClass(): Promise<OfficialAdapterClass> {
  found ??= (async () => {
    const { PrismaBetterSqlite3 } = officialPackage()
    const probe = await new PrismaBetterSqlite3({ url: ':memory:' }).connect()
    await probe.dispose()
    const Adapter = probe.constructor as OfficialAdapterClass
    checkShape(Adapter)
    return Adapter
  })()
  return found
}

/**
 * The layer relies on the adapter class keeping the connection it is given in `client` and
 * running everything through it (true of 7.0 to 7.10). A version that does otherwise is
 * refused here, before any test could reach a file of its own.
 */
function checkShape(Adapter: OfficialAdapterClass): void {
  const marker: AdapterConnection = {
    prepare: () => {
      throw new Error('not used')
    },
    exec: () => undefined,
    close: () => undefined,
  }
  const adapter = new Adapter(marker) as DriverAdapter & { client?: unknown }
  if (adapter.client !== marker || typeof adapter.queryRaw !== 'function' || typeof adapter.startTransaction !== 'function') {
    throw new PrismaLayerError(
      "sqlite-fixtures: this version of @prisma/adapter-better-sqlite3 builds its adapter differently from 7.x " +
        '(it does not keep the connection it is given in `client`), so it cannot be put on the test database. ' +
        'Please report your @prisma/adapter-better-sqlite3 version.',
    )
  }
}
