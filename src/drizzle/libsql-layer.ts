import type { Client } from '@libsql/client'
import type { LibSQLDatabase } from 'drizzle-orm/libsql'
import { defineLayer, type Layer, requirePackage } from '../core/base/index.js'
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
 * The Drizzle layer for apps on `drizzle-orm/libsql`: `ctx.drizzle` is one libSQL Drizzle
 * database over `testLibsqlClient()`, so every query it runs reaches the running test's own
 * database; drizzle-orm is loaded on its first use. Given `migrationsFolder`, the migrations
 * run once, on the template, exactly as `drizzleLayer()` of `sqlite-fixtures/drizzle` runs them
 * (the same set: prefer `drizzleMigrations()` in the plugin's options).
 */
export function drizzleLayer<Shape = RegisteredShape>(
  options: DrizzleLayerOptions<Shape> = {},
): Layer<'drizzle', LibsqlDrizzleDatabase<Shape>, 'db'> {
  // Checks the options now, in the setup file, as on better-sqlite3, and takes its migrations.
  const base = betterSqlite3Layer(options)
  let database: LibsqlDrizzleDatabase<Shape> | undefined
  const make = () => {
    const { drizzle } = requirePackage<typeof import('drizzle-orm/libsql')>('drizzle-orm/libsql')
    return drizzle(drizzleConfig(testLibsqlClient(), options) as { client: Client }) as unknown as LibsqlDrizzleDatabase<Shape>
  }
  return defineLayer({
    name: 'drizzle',
    dependsOn: ['db'],
    ...(base.migrations ? { migrations: base.migrations } : {}),
    setup: () => (database ??= make()),
  })
}
