// The runner-agnostic public API, shared by every entry. Each entry adds `testDatabase()`:
// the runner's own one checks that its hooks are installed.
export { captureQueries, currentDb, currentLayer, expectQueries, expectRefusal, QueryAssertionError } from './access/index.js'
export type { CapturedQueries, QueryExpectation, StatementPattern } from './access/index.js'
export {
  CaughtRefusalError,
  CrossTestError,
  DriverUnavailableError,
  defineLayer,
  FixtureUnavailableError,
  LateWorkError,
  LayerError,
  SchemaError,
  SqliteFixturesConfigError,
  SqliteFixturesError,
} from './base/index.js'
export type {
  Fixtures,
  IntegrityLevel,
  Isolation,
  KeepMode,
  Layer,
  LayerContext,
  LayerTestInfo,
  PragmaValue,
  SeedFunction,
  SqlLogOptions,
  SqliteFixturesOptions,
  SqliteMode,
  StatementLocation,
  Template,
  TemplateStep,
} from './base/index.js'
export { IntegrityError, TestDatabaseReport, type ForeignKeyViolation } from './diagnostics/index.js'
