import { requirePackage } from '../core/base/index.js'

let version: string | undefined

/**
 * The installed drizzle-orm's version, which decides the migration format its migrator
 * reads. Read on first need (a module of a few bytes), so a test file that never uses the
 * layer loads nothing of drizzle-orm.
 */
export function drizzleVersion(): string {
  return (version ??= requirePackage<{ npmVersion: string }>('drizzle-orm/version').npmVersion)
}

/**
 * Whether the installed drizzle-orm is of the 1.x line (1.0 release candidates included):
 * its better-sqlite3 database has the async-style API, takes `relations` instead of
 * `schema`, and its migrator reads one folder per migration.
 */
export function drizzleV1(): boolean {
  return Number.parseInt(drizzleVersion(), 10) >= 1
}
