import type { Kysely } from 'kysely'
import { defineLayer, type Layer } from '../core/base/index.js'
import { kyselyOn } from './kysely-on.js'
import { kyselySet, migrationStep } from './migration-set.js'
import { checkLayerOptions, migrationSource } from './source.js'
import type { KyselyMigrationOptions, RegisteredKyselyDatabase } from './types.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /**
       * A Kysely on the test's own database, typed with the `DB` your project registers
       * (`interface Register { kyselyDatabase: DB }`).
       */
      kysely: Kysely<RegisteredKyselyDatabase>
    }
  }
}

/** Options of `kyselyLayer()`: where the migrations are, if the layer applies them, and how they run. */
export type KyselyLayerOptions = KyselyMigrationOptions

/**
 * The Kysely layer: each test gets `ctx.kysely` (Jest: `await currentLayer('kysely')`), a
 * Kysely on its own fresh database; kysely itself is loaded on first use. Given
 * `migrationFolder` or `provider`, the layer also runs those migrations on the template,
 * through Kysely's own `Migrator` (prefer `kyselyMigrations()` in the plugin's options: see
 * docs/kysely.md). Your app's own Kysely reaches the test's database through the seam:
 * `new SqliteDialect({ database: testDatabase() })` in a module mock of your db module.
 */
export function kyselyLayer<DB = RegisteredKyselyDatabase>(options: KyselyLayerOptions = {}): Layer<'kysely', Kysely<DB>, 'db'> {
  checkLayerOptions('kyselyLayer()', options)
  const migrating = options.migrationFolder !== undefined || options.provider !== undefined
  const source = migrating ? migrationSource('kyselyLayer()', options) : undefined
  // A folder with no code around it (plugins, a loader) is data: the handed-over template may hold it already.
  const dataFolder = options.plugins === undefined && options.import === undefined ? source?.folder : undefined
  return defineLayer({
    name: 'kysely',
    dependsOn: ['db'],
    ...(dataFolder === undefined ? {} : { migrations: kyselySet(dataFolder, options.migratorProps) }),
    ...(source && dataFolder === undefined ? { templateSteps: async ({ rootDir }) => [await migrationStep(source, options, rootDir)] } : {}),
    // One Kysely per test, on the test's database: concurrent tests share no connection
    // mutex, and a transaction in one never waits for another's.
    setup: ({ db }) => kyselyOn<DB>(db, options.plugins),
    teardown: (kysely) => kysely.destroy(),
  })
}
