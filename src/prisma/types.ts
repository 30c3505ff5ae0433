import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client'

/** A driver adapter factory, as `new PrismaClient({ adapter })` takes it. */
export type DriverAdapterFactory = SqlDriverAdapterFactory

/** A connected driver adapter: what Prisma runs queries and transactions on. */
export type DriverAdapter = Awaited<ReturnType<DriverAdapterFactory['connect']>>

/** The options of Prisma's own adapter that shape values (its second constructor argument). */
export interface TestPrismaAdapterOptions {
  /**
   * How `DateTime` values are written: `'iso8601'` (Prisma's default) or `'unixepoch-ms'`.
   * Give the same value as your app's `new PrismaBetterSqlite3({ url }, { timestampFormat })`.
   */
  timestampFormat?: 'iso8601' | 'unixepoch-ms'
}

/**
 * What `ctx.prisma` is typed as until the project registers its own client's type
 * (`interface Register { prismaClient: PrismaClient }`): the `$` methods every client has.
 */
export interface PrismaClientLike {
  $connect(): Promise<void>
  $disconnect(): Promise<void>
  $transaction<Result>(fn: (tx: unknown) => Promise<Result>, options?: { maxWait?: number; timeout?: number }): Promise<Result>
  $transaction<Queries extends readonly PromiseLike<unknown>[]>(queries: [...Queries]): Promise<{ [K in keyof Queries]: Awaited<Queries[K]> }>
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>
}
