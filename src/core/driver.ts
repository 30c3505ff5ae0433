import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'

// better-sqlite3 is a native addon that takes ~10 ms to load: it is loaded with the first
// database a process opens, so a test file that never opens one never pays for it.
let driver: typeof BetterSqlite3 | undefined

/** Opens a better-sqlite3 database: a file, `':memory:'`, or a deserialized image. */
export function openDatabase(source: string | Buffer, options?: BetterSqlite3.Options): BetterSqlite3.Database {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3
  return new driver(source, options)
}
