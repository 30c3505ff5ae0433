import path from 'node:path'
import { type MigrationSet, type MigrationSteps, unknownOption } from '../core/base/index.js'
import { PrismaLayerError } from './errors.js'
import { migrationSteps as folderSteps } from './migrations.js'

export interface PrismaMigrationsOptions {
  /**
   * The Prisma migrations folder (`<name>/migration.sql` per migration), relative to the
   * `rootDir` option (the Vitest root, with the plugin), or absolute. Default `prisma/migrations`.
   */
  folder?: string
}

/** The set of a Prisma migrations folder. */
export function prismaSet(folder: string): MigrationSet {
  return { orm: 'prisma', folder }
}

/**
 * Your Prisma migrations, as plain data for the `migrations` option: applied in order, once,
 * to the template, as `prisma migrate deploy` applies them, in the main process before any
 * worker starts.
 *
 * ```ts
 * sqliteFixtures({ migrations: [prismaMigrations()] })
 * ```
 */
export function prismaMigrations(options: PrismaMigrationsOptions = {}): MigrationSet {
  const given: unknown = options
  if (typeof given !== 'object' || given === null) throw new PrismaLayerError('sqlite-fixtures: prismaMigrations() takes options: { folder }.')
  const unknown = unknownOption(given, ['folder'])
  if (unknown) {
    throw new PrismaLayerError(`sqlite-fixtures: prismaMigrations() has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: folder.`)
  }
  const { folder = 'prisma/migrations' } = options
  if (typeof folder !== 'string' || folder === '') {
    throw new PrismaLayerError(`sqlite-fixtures: prismaMigrations({ folder }) must be a folder path, got ${JSON.stringify(folder)}.`)
  }
  return prismaSet(folder)
}

/** The steps of a Prisma migration set: one per migration, in order. */
export const migrationSteps: MigrationSteps = async (set, { rootDir }) => folderSteps(path.resolve(rootDir, set.folder), rootDir)
