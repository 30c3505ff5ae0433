import type { IntMode } from '@libsql/client'
import type { LibsqlDialectConfig } from '@libsql/kysely-libsql'
import type { Kysely } from 'kysely'
import { defineLayer, type Layer, requirePackage } from '../core/base/index.js'
import { kyselyModule } from './orm.js'
import { testLibsqlClient } from '../libsql/index.js'
import { kyselyLayer as betterSqlite3Layer } from './layer.js'
import type { KyselyMigrationOptions, RegisteredKyselyDatabase } from './types.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /** As in `sqlite-fixtures/kysely` (declared again, so this entry types it alone). */
      kysely: Kysely<RegisteredKyselyDatabase>
    }
  }
}

/** Options of the libSQL `kyselyLayer()`: the migrations, as on better-sqlite3, and the client's `intMode`. */
export interface KyselyLibsqlLayerOptions extends KyselyMigrationOptions {
  /** Your app's `createClient({ intMode })`, so `ctx.kysely` returns integers as your app's Kysely does. */
  intMode?: IntMode
}

/**
 * The Kysely layer for apps on `@libsql/kysely-libsql`: each test gets `ctx.kysely`, a Kysely
 * with libSQL's dialect on `testLibsqlClient()`, so it reaches the running test's own
 * database; Kysely and the dialect are loaded on its first use. Given `migrationFolder` or
 * `provider`, the migrations run once, on the template, exactly as `kyselyLayer()` of
 * `sqlite-fixtures/kysely` runs them (Kysely's own `Migrator`, the same set or steps: prefer
 * `kyselyMigrations()` in the plugin's options).
 */
export function kyselyLayer<DB = RegisteredKyselyDatabase>(options: KyselyLibsqlLayerOptions = {}): Layer<'kysely', Kysely<DB>, 'db'> {
  const { intMode, ...migrations } = options ?? {}
  // Checks the options and finds the migrations now, in the setup file, as on better-sqlite3.
  const base = betterSqlite3Layer(migrations)
  const client = testLibsqlClient(intMode === undefined ? {} : { intMode })
  return defineLayer({
    name: 'kysely',
    dependsOn: ['db'],
    ...(base.migrations ? { migrations: base.migrations } : {}),
    ...(base.templateSteps ? { templateSteps: base.templateSteps } : {}),
    // One Kysely per test, as on better-sqlite3; the dialect leaves the shared client open. (The
    // cast: @libsql/kysely-libsql 0.4 is typed against @libsql/client 0.8, whose sync() returned nothing.)
    setup: () => {
      const { Kysely } = kyselyModule()
      const { LibsqlDialect } = requirePackage<typeof import('@libsql/kysely-libsql')>('@libsql/kysely-libsql')
      return new Kysely<DB>({ dialect: new LibsqlDialect({ client } as LibsqlDialectConfig), plugins: [...(options.plugins ?? [])] })
    },
    teardown: (kysely) => kysely.destroy(),
  })
}
