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
export { defineLayer, type Fixtures, type Layer, type LayerContext, type LayerTestInfo } from './layer.js'
export type { Isolation, KeepMode, PragmaValue, SeedFunction, SqliteFixturesOptions, SqliteMode } from './options.js'
export type { Template, TemplateStep } from './template.js'
