import type { Client } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import { defineLayer, type Layer } from '../core/base/index.js'
import { testLibsqlClient } from '../libsql/index.js'
import { drizzleConfig } from './database.js'
import { drizzleLayer as betterSqlite3Layer } from './layer.js'
import type { DrizzleLayerOptions } from './options.js'
import type { DrizzleShape, RegisteredDrizzleDatabase, RegisteredShape } from './types.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /** As in `sqlite-fixtures/drizzle` (declared again, so this entry types it alone): register `drizzleDatabase: typeof db`. */
      drizzle: RegisteredDrizzleDatabase
    }
  }
}

/** The libSQL Drizzle database typed with `Shape` (a schema record on drizzle-orm 0.x, relations on 1.x). */
export type LibsqlDrizzleDatabase<Shape = RegisteredShape> = ([Extract<Shape, DrizzleShape>] extends [never]
  ? LibSQLDatabase
  : LibSQLDatabase<Extract<Shape, DrizzleShape>>) & { $client: Client }

/**
 * The Drizzle layer for apps on `drizzle-orm/libsql`: the migrations run once, on the template,
 * exactly as `drizzleLayer()` of `sqlite-fixtures/drizzle` runs them (same options, same cache
 * key), and `ctx.drizzle` is one libSQL Drizzle database over `testLibsqlClient()`, so every
 * query it runs reaches the running test's own database.
 */
export function drizzleLayer<Shape = RegisteredShape>(
  options: DrizzleLayerOptions<Shape>,
): Layer<'drizzle', LibsqlDrizzleDatabase<Shape>, 'db'> {
  // Checks the options and reads the migrations now, in the setup file, as on better-sqlite3.
  const base = betterSqlite3Layer(options)
  let database: LibsqlDrizzleDatabase<Shape> | undefined
  return defineLayer({
    name: 'drizzle',
    dependsOn: ['db'],
    templateSteps: (context) => base.templateSteps?.(context) ?? [],
    setup: () => (database ??= drizzle(drizzleConfig(testLibsqlClient(), options) as { client: Client }) as unknown as LibsqlDrizzleDatabase<Shape>),
  })
}
