// The runner-agnostic public API, shared by every entry.
export { currentDb, currentLayer } from './current.js'
export { testDatabase } from './test-database.js'
export {
  CrossTestError,
  FixtureUnavailableError,
  LayerError,
  SchemaError,
  SqliteFixturesConfigError,
  SqliteFixturesError,
  type StatementLocation,
} from './errors.js'
export { TestDatabaseReport } from './failure-report.js'
export { IntegrityError, type ForeignKeyViolation, type IntegrityLevel } from './integrity.js'
export {
  captureQueries,
  expectQueries,
  QueryAssertionError,
  type CapturedQueries,
  type QueryExpectation,
  type StatementPattern,
} from './query-assertions.js'
export { defineLayer, type Fixtures, type Layer, type LayerContext, type LayerTestInfo } from './layer.js'
export type { Isolation, KeepMode, PragmaValue, SeedFunction, SqlLogOptions, SqliteFixturesOptions, SqliteMode } from './options.js'
export type { Template, TemplateStep } from './template.js'
