// sqlite-fixtures/kysely/libsql: Kysely on libSQL (@libsql/kysely-libsql).
export { kyselyLayer, type KyselyLibsqlLayerOptions } from './libsql-layer.js'
export { migrator, type KyselyMigrator, type KyselyMigratorOptions } from './migrator.js'
export { KyselyLayerError, KyselyMigrationError } from './errors.js'
export type { KyselyMigration, KyselyMigrationOptions, KyselyMigrationProvider, KyselyMigratorProps, RegisteredKyselyDatabase } from './types.js'
