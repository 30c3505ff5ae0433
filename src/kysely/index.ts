export { kyselyLayer, type KyselyLayerOptions } from './layer.js'
export { kyselyMigrations, type KyselyMigrationsOptions } from './migration-set.js'
export { migrator, type KyselyMigrator, type KyselyMigratorOptions } from './migrator.js'
export { KyselyLayerError, KyselyMigrationError } from './errors.js'
export type {
  KyselyMigration,
  KyselyMigrationOptions,
  KyselyMigrationProvider,
  KyselyMigratorProps,
  RegisteredKyselyDatabase,
  UntypedDatabase,
} from './types.js'
export type { ModuleImport } from '../core/base/index.js'
