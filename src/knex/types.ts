/** The SQLite clients of Knex this package puts on test databases. */
export type KnexSqliteClient = 'better-sqlite3' | 'sqlite3'

/** The part of Knex's client (`knex.client`) the plugin takes over; internal to Knex, the same in 2.4 to 3.x. */
export interface KnexClientInternals {
  readonly driverName?: string
  readonly config: {
    readonly client?: unknown
    readonly acquireConnectionTimeout?: number
    readonly pool?: { readonly afterCreate?: (connection: unknown, done: (error: Error | null, connection?: unknown) => void) => void }
    readonly connection?: unknown
  }
  readonly connectionSettings?: { readonly options?: { readonly safeIntegers?: boolean } }
  acquireConnection(): Promise<unknown>
  releaseConnection(connection: unknown): Promise<void>
  destroy(callback?: (error?: unknown) => void): Promise<void>
}
