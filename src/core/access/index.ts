// access: how test and app code reach the running test's database: currentDb() and
// currentLayer(), the test-following handle (testDatabase()), and assertions on the
// statements a block ran.

export { currentDb, currentLayer } from './current.js'
export {
  captureQueries,
  expectQueries,
  QueryAssertionError,
  type CapturedQueries,
  type QueryExpectation,
  type StatementPattern,
} from './query-assertions.js'
export { expectRefusal } from './refusal.js'
export { isTestDatabase, testDatabase } from './test-database.js'
