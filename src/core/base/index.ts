// base: what every room stands on. The options and their checks, the layer definition, the
// template step's shape, the error classes, and small helpers (logging, SQL text). It imports
// no other room.

export { monotonicClock, nextTurns, sleep, throwUncaught, wallClock } from './clock.js'
export {
  CaughtRefusalError,
  CrossTestError,
  DriverUnavailableError,
  FixtureUnavailableError,
  LateWorkError,
  LayerError,
  SchemaError,
  SqliteFixturesConfigError,
  SqliteFixturesError,
  type StatementLocation,
} from './errors.js'
export { defineLayer, type AnyLayer, type Fixtures, type Layer, type LayerContext, type LayerTestInfo } from './layer.js'
export { verbose, verboseEnabled } from './log.js'
export {
  migrationSetId,
  type JsonValue,
  type MigrationContext,
  type MigrationSet,
  type MigrationSteps,
} from './migration-set.js'
export { collectNotices, deprecated } from './notices.js'
export { noteUseSqliteFixtures } from './renamed.js'
export { folderEntries } from './folder-entries.js'
export {
  forgetNodeRequired,
  moduleGraphOver,
  nodeRequiredModules,
  runnerModuleGraph,
  useRunnerModuleGraph,
  type LoadedModule,
  type ModuleGraph,
  type ModuleInputs,
} from './module-graph.js'
export { importProjectModule, requirePackage, useRunnerImport, type ModuleImport } from './module-import.js'
export { unknownOption } from './option-names.js'
export {
  resolveOptions,
  type IntegrityLevel,
  type Isolation,
  type KeepMode,
  type PragmaValue,
  type ResolvedOptions,
  type SeedFunction,
  type SqlLogOptions,
  type SqliteFixturesOptions,
  type SqliteMode,
  type TemplateDriver,
} from './options.js'
export { isAlive } from './pid.js'
export { isPromiseLike } from './promise-like.js'
export { realmState } from './realm.js'
export { lineAt, numberedStatements, shortenStatement, withBoundValues } from './sql-format.js'
export { lineIn } from './stack-line.js'
export { pendingFile, type FileMigrator } from './file-migrations.js'
export type { LibsqlConnection, Template, TemplateStep } from './template-step.js'
