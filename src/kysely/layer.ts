import type { Database } from 'better-sqlite3'
import type { Kysely } from 'kysely'
import { defineLayer, type Layer, SchemaError, type TemplateStep } from '../core/base/index.js'
import { failureOf } from './failure.js'
import { kyselyOn } from './kysely-on.js'
import { migratorClass } from './migrator-class.js'
import { migrationSource, type MigrationSource } from './source.js'
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

/** Options of `kyselyLayer()`: where the migrations are, and how they run. */
export type KyselyLayerOptions = KyselyMigrationOptions

/** Applies every migration to the template with Kysely's own `Migrator`; a failure names the migration. */
async function migrateTemplate(db: Database, source: MigrationSource, options: KyselyMigrationOptions): Promise<void> {
  const kysely = kyselyOn<unknown>(db, options.plugins)
  try {
    const Migrator = await migratorClass()
    const result = await new Migrator({ ...options.migratorProps, db: kysely, provider: source.provider }).migrateToLatest()
    const failure = failureOf(result, source)
    if (failure) {
      const before = failure.applied.length > 0 ? ` (after ${failure.applied.join(', ')} applied)` : ''
      throw new SchemaError(
        `sqlite-fixtures: Kysely ${failure.where} failed while building the template${before}: ${failure.reason}. ` +
          "Fix the migration, or step through the migrations with migrator() from 'sqlite-fixtures/kysely'.",
        undefined,
        { cause: failure.error },
      )
    }
  } finally {
    await kysely.destroy()
  }
}

/**
 * The Kysely layer: your migrations run once, on the template, through Kysely's own
 * `Migrator`, and each test gets `ctx.kysely` (Jest: `await currentLayer('kysely')`), a
 * Kysely on its own fresh database. Your app's own Kysely instance reaches the test's
 * database through the seam: `new SqliteDialect({ database: testDatabase() })` in a module
 * mock of your db module.
 */
export function kyselyLayer<DB = RegisteredKyselyDatabase>(options: KyselyLayerOptions): Layer<'kysely', Kysely<DB>, 'db'> {
  const source = migrationSource('kyselyLayer()', options)
  return defineLayer({
    name: 'kysely',
    dependsOn: ['db'],
    templateSteps: async (): Promise<TemplateStep[]> => [
      {
        name: `kysely migrations (${source.label})`,
        fingerprint: await source.fingerprint(),
        files: source.folder === undefined ? [] : [source.folder],
        apply: (db) => migrateTemplate(db, source, options),
      },
    ],
    // One Kysely per test, on the test's database: concurrent tests share no connection
    // mutex, and a transaction in one never waits for another's.
    setup: ({ db }) => kyselyOn<DB>(db, options.plugins),
    teardown: (kysely) => kysely.destroy(),
  })
}
