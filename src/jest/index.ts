import { noteUseSqliteFixtures, type SqliteFixturesOptions, useRunnerImport, useRunnerModuleGraph } from '../core/base/index.js'
import { configure, installHooks } from './hooks.js'
import { jestImport } from './module-import.js'
import { jestModuleGraph } from './module-graph.js'

export { deriveTemplate } from './derive.js'
export * from '../core/public.js'
export { testDatabase } from '../core/access/index.js'
export * from '../broker/index.js'

// Project files this package loads (Kysely's TypeScript migrations) go through Jest's transform.
useRunnerImport(jestImport)
useRunnerModuleGraph(jestModuleGraph)

/**
 * Configures the per-test databases, from a file in Jest's `setupFilesAfterEnv`, and
 * installs the hooks if `sqlite-fixtures/jest/setup` is not listed too. Its options are
 * merged over those given to the global setup, if any. (Not a React hook: the name keeps
 * linters' hook rules out of the way.)
 */
export function configureSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  configure(options)
  installHooks()
}

/**
 * @deprecated Renamed to `configureSqliteFixtures`, which React's `rules-of-hooks` lint
 * rule does not take for a hook. This alias will be removed in a later major version.
 */
export function useSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  noteUseSqliteFixtures('sqlite-fixtures/jest')
  configureSqliteFixtures(options)
}
