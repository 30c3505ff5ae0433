export { typeormLayer, type TypeormLayerOptions } from './layer.js'
export { checkEntitiesMatchSchema, checkMigrations, migrator, type Migrator, type MigrationCheckOptions } from './checks.js'
export { MigrationCheckError, TypeormLayerError } from './errors.js'
