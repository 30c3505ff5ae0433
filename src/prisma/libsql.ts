// sqlite-fixtures/prisma/libsql: Prisma on libSQL (@prisma/adapter-libsql).
export { testPrismaAdapter, type TestPrismaLibsqlAdapterOptions } from './libsql-adapter.js'
export { prismaLayer, type PrismaLayerOptions } from './layer.js'
export { migrator, type PrismaMigrator, type PrismaMigratorOptions } from './migrator.js'
export { PrismaLayerError } from './errors.js'
export type { DriverAdapterFactory, PrismaClientLike, TestPrismaAdapterOptions } from './types.js'
