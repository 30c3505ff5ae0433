import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { defineLayer, type Layer, type TemplateStep } from '../core/base/index.js'
import { testDatabase } from '../core/access/index.js'
import { drizzleOver } from './database.js'
import { migrationFailure } from './failure.js'
import { checkReadable, fingerprintOf, readMigrationsFolder, type MigrationsFolder } from './migrations.js'
import { checkOptions, type DrizzleLayerOptions } from './options.js'
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

/** The template step that applies the folder's migrations with Drizzle's own migrator. */
function migrationStep(folder: MigrationsFolder, migrationsTable: string): TemplateStep {
  return {
    name: `drizzle migrations (${folder.migrations.length})`,
    fingerprint: fingerprintOf(folder, migrationsTable),
    files: [folder.folder],
    apply: (db, scratch) => {
      try {
        // Synchronous on both lines: one transaction over every pending migration.
        migrate(drizzleOver(db, {}), { migrationsFolder: folder.folder, migrationsTable })
      } catch (error) {
        throw migrationFailure(folder.folder, folder.migrations, error, scratch)
      }
    },
  }
}

/**
 * The Drizzle layer: migrations applied once, on the template, by Drizzle's own migrator,
 * and `ctx.drizzle`, a Drizzle database on the running test's own database.
 *
 * `ctx.drizzle` is one Drizzle instance over `testDatabase()`, made once: every query it
 * runs reaches the database of the test that runs it (also under `test.concurrent`), and
 * statements it prepared outside any test follow each test. Per test it costs nothing to
 * build (see the README's figures).
 */
export function drizzleLayer<Shape = RegisteredShape>(
  options: DrizzleLayerOptions<Shape>,
): Layer<'drizzle', DrizzleDatabase<Shape>, 'db'> {
  const checked = checkOptions('drizzleLayer()', options)
  // Read now, in the setup file, so a missing folder or a format the installed drizzle-orm
  // cannot read fails the run at once with the fix, not every test that touches the database.
  const folder = checked.migrationsFolder === undefined ? undefined : checkReadable(readMigrationsFolder(checked.migrationsFolder))
  let database: DrizzleDatabase<Shape> | undefined
  return defineLayer({
    name: 'drizzle',
    dependsOn: ['db'],
    templateSteps: () => (folder === undefined ? [] : [migrationStep(folder, checked.migrationsTable)]),
    setup: () => (database ??= drizzleOver<Shape>(testDatabase(), checked)),
  })
}
