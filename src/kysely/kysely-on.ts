import type { Database } from 'better-sqlite3'
import type { Kysely, KyselyPlugin, SqliteDatabase } from 'kysely'
import { kyselyModule } from './orm.js'

/**
 * A Kysely on `db`. Its dialect gets `db`'s `prepare` and a `close` that does nothing: the
 * plugin owns the database and closes it when the test ends, so `kysely.destroy()` (by
 * the migrator, or in a test) leaves it to the plugin.
 */
export function kyselyOn<DB>(db: Database, plugins: readonly KyselyPlugin[] = []): Kysely<DB> {
  const database: SqliteDatabase = {
    prepare: (sql) => db.prepare(sql),
    close: () => {},
  }
  const { Kysely, SqliteDialect } = kyselyModule()
  return new Kysely<DB>({ dialect: new SqliteDialect({ database }), plugins: [...plugins] })
}
