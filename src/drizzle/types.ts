import type { Database } from 'better-sqlite3'
import type { BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'

// These types are computed from the installed drizzle-orm, so one build of this package
// types Drizzle 0.x (a schema record) and 1.x (relations) alike.

/** `drizzle()`'s config object with a client, its type parameter erased to its constraint. */
type ClientConfig = Extract<Parameters<typeof drizzle>[0], { client: unknown }>

/**
 * What types a Drizzle database: its schema record (drizzle-orm 0.x, `schema`) or its
 * relations (1.x, `relations` from `defineRelations`), per the installed version.
 */
export type DrizzleShape = ClientConfig extends { relations?: infer Relations }
  ? Exclude<Relations, undefined>
  : ClientConfig extends { schema?: infer Schema }
    ? Exclude<Schema, undefined>
    : never

/** The shape a project registers (`SqliteFixtures.Register`): relations (1.x) or schema (0.x). */
export type RegisteredShape = SqliteFixtures.Register extends { drizzleRelations: infer Relations }
  ? Relations
  : SqliteFixtures.Register extends { drizzleSchema: infer Schema }
    ? Schema
    : never

/**
 * The better-sqlite3 Drizzle database typed with `Shape` (a schema record on drizzle-orm
 * 0.x, relations on 1.x); untyped relational queries when `Shape` is neither.
 */
export type DrizzleDatabase<Shape = RegisteredShape> = ([Extract<Shape, DrizzleShape>] extends [never]
  ? BetterSQLite3Database
  : BetterSQLite3Database<Extract<Shape, DrizzleShape>>) & { $client: Database }

/** What `drizzle()` takes besides the client and the schema or relations (logger, casing, cache...). */
export type DrizzleConfig = Omit<ClientConfig, 'client' | 'connection' | 'schema' | 'relations'>

/**
 * `ctx.drizzle`'s type: the database type a project registers (`interface Register {
 * drizzleDatabase: typeof db }`, for Drizzle on libSQL), else the better-sqlite3 database
 * typed with the registered schema or relations.
 */
export type RegisteredDrizzleDatabase = SqliteFixtures.Register extends { drizzleDatabase: infer Database } ? Database : DrizzleDatabase
