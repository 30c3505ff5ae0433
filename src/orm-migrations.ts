// Which ORM layer of this package applies a migration set (`drizzleMigrations()` and its kin
// describe them as data). Each is loaded on first use, so a process that applies none of an
// ORM's sets loads nothing of that ORM. The runner adapters hand this to the core.
import { type MigrationSteps, SqliteFixturesConfigError } from './core/base/index.js'

const appliers: Readonly<Record<string, () => Promise<{ migrationSteps: MigrationSteps }>>> = {
  d1: () => import('./d1/migration-set.js'),
  drizzle: () => import('./drizzle/migration-set.js'),
  knex: () => import('./knex/migration-set.js'),
  kysely: () => import('./kysely/migration-set.js'),
  prisma: () => import('./prisma/migration-set.js'),
  sequelize: () => import('./sequelize/migration-set.js'),
}

/** The template steps of a migration set, by the ORM layer it names. */
export const ormMigrationSteps: MigrationSteps = async (set, context) => {
  const load = Object.hasOwn(appliers, set.orm) ? appliers[set.orm] : undefined
  if (!load) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: a migration set names the ORM "${set.orm}", which this package has no layer for ` +
        `(known: ${Object.keys(appliers).join(', ')}). Make sets with drizzleMigrations(), knexMigrations(), kyselyMigrations(), prismaMigrations() or sequelizeMigrations().`,
    )
  }
  return (await load()).migrationSteps(set, context)
}
