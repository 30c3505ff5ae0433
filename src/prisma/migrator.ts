import path from 'node:path'
import type Database from 'better-sqlite3'
import { PrismaLayerError } from './errors.js'
import { applyMigration, readMigrations, type PrismaMigration } from './migrations.js'
import { officialAdapterClass } from './official.js'
import type { DriverAdapterFactory, TestPrismaAdapterOptions } from './types.js'
import { openScratch, snapshot } from '../core/driver/index.js'

export interface PrismaMigratorOptions {
  /** The Prisma migrations folder: absolute, or relative to the current directory. Default `prisma/migrations`. */
  migrations?: string
}

/**
 * Prisma's migrations on a fresh, empty in-memory database (foreign keys on), applied one
 * by one, for data-migration tests: migrate to a point, insert rows with the schema of that
 * point, migrate on, and check what became of them.
 */
export interface PrismaMigrator {
  /** The database the migrations run on. */
  readonly db: Database.Database
  /** Names of the migrations applied so far, in order. */
  applied(): string[]
  /** Names of the migrations not yet applied, in the order they will run. */
  pending(): string[]
  /** Applies pending migrations up to and including `name` (a folder name, e.g. `20250110093000_init`). */
  upTo(name: string): void
  /** Applies every pending migration. */
  upToLatest(): void
  /**
   * A driver adapter factory on `db`, with Prisma's own value conversions: read what the
   * migrations made through your client, `new PrismaClient({ adapter: m.adapter() })`, once
   * the schema matches it (after `upToLatest()`).
   */
  adapter(options?: TestPrismaAdapterOptions): DriverAdapterFactory
  /** Closes the database. */
  close(): void
}

/** Opens a migrator on a fresh database; nothing is applied yet. */
export function migrator(options: PrismaMigratorOptions = {}): PrismaMigrator {
  const migrations = readMigrations(path.resolve(options.migrations ?? 'prisma/migrations'), process.cwd())
  const db = openScratch()
  let done = 0
  const apply = (migration: PrismaMigration) => {
    // A failure is explained on a copy of the database as it was before this migration.
    const before = snapshot(db)
    applyMigration(db, migration, () => openScratch(before))
    done += 1
  }
  return {
    db,
    applied: () => migrations.slice(0, done).map((m) => m.name),
    pending: () => migrations.slice(done).map((m) => m.name),
    upTo(name) {
      const index = migrations.findIndex((m) => m.name === name)
      if (index < done) {
        const where = index === -1 ? 'no migration is named' : 'already applied:'
        throw new PrismaLayerError(
          `sqlite-fixtures: ${where} ${name}. Pending: ${migrations.slice(done).map((m) => m.name).join(', ') || 'none'}.`,
        )
      }
      for (const migration of migrations.slice(done, index + 1)) apply(migration)
    },
    upToLatest() {
      for (const migration of migrations.slice(done)) apply(migration)
    },
    adapter: (adapterOptions) => ({
      provider: 'sqlite',
      adapterName: '@prisma/adapter-better-sqlite3',
      connect: async () => {
        const Adapter = await officialAdapterClass()
        return new Adapter({ prepare: (source) => db.prepare(source).safeIntegers(true), exec: (source) => db.exec(source), close: () => undefined }, adapterOptions)
      },
    }),
    close: () => db.close(),
  }
}
