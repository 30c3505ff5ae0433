// sqlite-fixtures/drizzle/libsql: Drizzle on libSQL (drizzle-orm/libsql).
export { drizzleLayer, type LibsqlDrizzleDatabase } from './libsql-layer.js'
export type { DrizzleLayerOptions } from './options.js'
export { migrator, type DrizzleMigrator, type DrizzleMigratorOptions } from './migrator.js'
export { DrizzleLayerError, DrizzleMigrationError } from './errors.js'
export type { DrizzleConfig, DrizzleShape } from './types.js'
