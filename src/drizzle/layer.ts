import { defineLayer, type Layer } from '../core/base/index.js'
import { testDatabase } from '../core/access/index.js'
import { drizzleOver } from './database.js'
import { drizzleSet } from './migration-set.js'
import { locateMigrationsFolder } from './migrations.js'
import { checkOptions, checkShapeForVersion, type DrizzleLayerOptions } from './options.js'
import type { DrizzleDatabase, RegisteredDrizzleDatabase, RegisteredShape } from './types.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /**
       * A Drizzle database on the test's own database, typed with the schema (drizzle-orm
       * 0.x) or relations (1.x) you register: `interface Register { drizzleSchema: typeof schema }`
       * (or `drizzleRelations: typeof relations`); on libSQL, `drizzleDatabase: typeof db`.
       */
      drizzle: RegisteredDrizzleDatabase
    }
  }
}

/**
 * The Drizzle layer: `ctx.drizzle`, a Drizzle database on the running test's own database,
 * and, given `migrationsFolder`, your migrations applied to the template by Drizzle's own
 * migrator (prefer `drizzleMigrations()` in the plugin's options: see docs/drizzle.md).
 *
 * `ctx.drizzle` is one Drizzle instance over `testDatabase()`, made on first use: every
 * query it runs reaches the database of the test that runs it (also under
 * `test.concurrent`), and statements it prepared outside any test follow each test.
 * drizzle-orm itself is loaded then, not when the layer is made.
 */
export function drizzleLayer<Shape = RegisteredShape>(
  options: DrizzleLayerOptions<Shape> = {},
): Layer<'drizzle', DrizzleDatabase<Shape>, 'db'> {
  const checked = checkOptions('drizzleLayer()', options)
  // Found now, in the setup file, so a missing folder fails the run at once; whether the
  // installed drizzle-orm reads its format is checked where the migrations are read, to build.
  const folder = checked.migrationsFolder === undefined ? undefined : locateMigrationsFolder(checked.migrationsFolder).folder
  let database: DrizzleDatabase<Shape> | undefined
  const make = () => {
    checkShapeForVersion('drizzleLayer()', checked)
    return drizzleOver<Shape>(testDatabase(), checked)
  }
  return defineLayer({
    name: 'drizzle',
    dependsOn: ['db'],
    ...(folder === undefined ? {} : { migrations: drizzleSet(folder, checked.migrationsTable) }),
    setup: () => (database ??= make()),
  })
}
