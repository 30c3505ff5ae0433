import type { Client, IntMode } from '@libsql/client'
import { PrismaLibSql } from '@prisma/adapter-libsql'
import { testLibsqlClient } from '../libsql/index.js'
import { followingFactory } from './adapter.js'
import { PrismaLayerError } from './errors.js'
import type { DriverAdapter, DriverAdapterFactory, TestPrismaAdapterOptions } from './types.js'

/** The class of Prisma's own libSQL adapter: `new (client, options)`. */
type LibsqlAdapterClass = new (client: Client, options?: TestPrismaAdapterOptions) => DriverAdapter

/** Options of the libSQL `testPrismaAdapter()`: your app's `new PrismaLibSql({ url, intMode }, { timestampFormat })`. */
export interface TestPrismaLibsqlAdapterOptions extends TestPrismaAdapterOptions {
  /** The `intMode` of your app's libSQL config, if it sets one. */
  intMode?: IntMode
}

let found: Promise<LibsqlAdapterClass> | undefined

/**
 * The class of the adapter that `@prisma/adapter-libsql` builds in `connect()`: the package
 * exports only its factory, which makes a client from a URL; the class it makes takes the
 * client. Found once per process by connecting the factory to a throwaway in-memory
 * database, and checked to keep the client it is given, as 7.0 to 7.10 do.
 */
function libsqlAdapterClass(): Promise<LibsqlAdapterClass> {
  found ??= (async () => {
    const probe = await new PrismaLibSql({ url: ':memory:' }).connect()
    await probe.dispose()
    const Adapter = probe.constructor as LibsqlAdapterClass
    const marker = {} as Client
    if ((new Adapter(marker) as { client?: unknown }).client !== marker) {
      throw new PrismaLayerError(
        'sqlite-fixtures: this version of @prisma/adapter-libsql builds its adapter differently from 7.x (it does not ' +
          'keep the client it is given in `client`), so it cannot be put on the test database. Please report your version.',
      )
    }
    return Adapter
  })()
  return found
}

/**
 * A driver adapter factory for `new PrismaClient({ adapter })` that puts the client on the
 * running test's own database, for apps on `@prisma/adapter-libsql`: use it in the setup file
 * where your app builds `new PrismaLibSql({ url })`. Each test gets Prisma's own libSQL
 * adapter over `testLibsqlClient()`, so values and errors are exactly Prisma's.
 */
export function testPrismaAdapter(options: TestPrismaLibsqlAdapterOptions = {}): DriverAdapterFactory {
  const { intMode, ...adapterOptions } = options ?? {}
  const client = testLibsqlClient(intMode === undefined ? {} : { intMode })
  const given = Object.keys(adapterOptions).length > 0 ? adapterOptions : undefined
  return followingFactory('@prisma/adapter-libsql', given, async () => {
    const Adapter = await libsqlAdapterClass()
    // One adapter per test (Prisma's holds a lock while a transaction is open), each on the
    // shared client, which reaches the test's own database.
    return () => new Adapter(client, given)
  })
}
