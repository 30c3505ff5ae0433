import type { Database } from 'better-sqlite3'
import { drizzleModule } from './orm.js'
import type { DrizzleConfig, DrizzleDatabase } from './types.js'
import { drizzleV1 } from './version.js'

/** How a Drizzle database is made, besides its client. */
export interface DrizzleSettings<Shape> {
  readonly schema?: Shape | undefined
  readonly relations?: Shape | undefined
  readonly config?: DrizzleConfig | undefined
}

/**
 * A Drizzle database over `client`, made the way both lines accept: the config-object form
 * (drizzle-orm 1.x no longer takes a client as the first argument: it would open a database
 * of its own), with `schema` on 0.x and `relations` on 1.x.
 */
export function drizzleOver<Shape>(client: Database, settings: DrizzleSettings<Shape>): DrizzleDatabase<Shape> {
  return drizzleModule().drizzle(drizzleConfig(client, settings) as { client: Database }) as unknown as DrizzleDatabase<Shape>
}

/** `drizzle()`'s config object for `client`, with `schema` on 0.x and `relations` on 1.x, on any driver. */
export function drizzleConfig<Shape, Client>(client: Client, settings: DrizzleSettings<Shape>): Record<string, unknown> & { client: Client } {
  const shape = drizzleV1()
    ? settings.relations === undefined ? {} : { relations: settings.relations }
    : settings.schema === undefined ? {} : { schema: settings.schema }
  return { ...settings.config, ...shape, client }
}
