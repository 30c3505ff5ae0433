import { requirePackage } from '../core/base/index.js'

// drizzle-orm's modules, loaded on first use rather than imported: `sqlite-fixtures/drizzle`
// in a setup file then costs a test file that never touches a database nothing of
// drizzle-orm (whose better-sqlite3 entry alone takes ~100 ms to load). In the ESM build they
// are the very modules the app's own `import` loads.

type DrizzleModule = typeof import('drizzle-orm/better-sqlite3')
type MigratorModule = typeof import('drizzle-orm/better-sqlite3/migrator')

/** `drizzle-orm/better-sqlite3`. */
export const drizzleModule = (): DrizzleModule => requirePackage<DrizzleModule>('drizzle-orm/better-sqlite3')

/** `drizzle-orm/better-sqlite3/migrator`: Drizzle's own `migrate()`. */
export const migratorModule = (): MigratorModule => requirePackage<MigratorModule>('drizzle-orm/better-sqlite3/migrator')

type LibsqlDrizzleModule = typeof import('drizzle-orm/libsql')
type LibsqlMigratorModule = typeof import('drizzle-orm/libsql/migrator')

/** `drizzle-orm/libsql`. */
export const libsqlDrizzleModule = (): LibsqlDrizzleModule => requirePackage<LibsqlDrizzleModule>('drizzle-orm/libsql')

/** `drizzle-orm/libsql/migrator`: Drizzle's own `migrate()` for libSQL, which runs libSQL's SQL (a template built with libSQL). */
export const libsqlMigratorModule = (): LibsqlMigratorModule => requirePackage<LibsqlMigratorModule>('drizzle-orm/libsql/migrator')
