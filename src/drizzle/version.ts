import { npmVersion } from 'drizzle-orm/version'

/** The installed drizzle-orm's version, which decides the migration format its migrator reads. */
export const drizzleVersion: string = npmVersion

/**
 * Whether the installed drizzle-orm is of the 1.x line (1.0 release candidates included):
 * its better-sqlite3 database has the async-style API, takes `relations` instead of
 * `schema`, and its migrator reads one folder per migration.
 */
export const drizzleV1: boolean = Number.parseInt(drizzleVersion, 10) >= 1
