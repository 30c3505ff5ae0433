import type Database from 'better-sqlite3'
import type { DataSource } from 'typeorm'
import { TypeormLayerError } from './errors.js'

/** The fields of TypeORM's better-sqlite3 driver that hold its connection (public in the typings, undocumented). */
export interface ConnectionHolder {
  databaseConnection: Database.Database
  queryRunner: unknown
}

/**
 * A `driver` option for TypeORM's better-sqlite3 driver: TypeORM calls `new driver(path,
 * options)`, and a constructor that returns an object makes `new` return it. So TypeORM
 * connects to `db` instead of opening a file.
 */
export function connectionTo(db: Database.Database): new () => Database.Database {
  return function Connection() {
    return db
  } as unknown as new () => Database.Database
}

/** The driver of `dataSource`, checked to hold its connection where this layer swaps it. */
export function holderOf(dataSource: DataSource): ConnectionHolder {
  const driver = dataSource.driver as unknown as Partial<ConnectionHolder>
  if (typeof driver.databaseConnection !== 'object' || driver.databaseConnection === null) {
    throw new TypeormLayerError(
      "sqlite-fixtures: this TypeORM version's better-sqlite3 driver keeps its connection elsewhere than " +
        '`driver.databaseConnection`, so the test database cannot be put under your DataSource. ' +
        'Please report your typeorm version.',
    )
  }
  return driver as ConnectionHolder
}

/**
 * Puts `db` under an initialized DataSource: every repository and manager taken from it,
 * before or after, now talks to `db`. The query runner caches prepared statements per
 * connection, so it is dropped and TypeORM makes a new one on next use.
 */
export function swapConnection(dataSource: DataSource, db: Database.Database): void {
  const holder = holderOf(dataSource)
  holder.databaseConnection = db
  holder.queryRunner = undefined
}
