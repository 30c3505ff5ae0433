import type { Database } from 'better-sqlite3'
import { testDatabase as handle } from '../core/access/index.js'
import { noteUseSqliteFixtures, type SqliteFixturesOptions, useRunnerImport, useRunnerModuleGraph } from '../core/base/index.js'
import { checkInstalledAtStart } from './installed.js'
import { configure } from './runtime.js'
import { vitestImport } from './module-import.js'
import { workerModuleGraph } from './module-graph.js'
import './augment.js'

// Project files this package loads (Kysely's TypeScript migrations) go through Vitest's transform.
useRunnerImport(vitestImport)
useRunnerModuleGraph(workerModuleGraph)

export { sqliteFixtures, fixtureTags } from './plugin.js'
export { fixture, test, type ContextFixtures, type LayerFixture } from './context.js'
export { deriveTemplate } from './derive.js'
export type { TestScope } from '../core/lifecycle/index.js'
export type { SerializableOptions } from './provided.js'
export * from '../core/public.js'
export * from '../broker/index.js'

/**
 * Configures the per-test databases. Call it from a file in Vitest's `setupFiles`: it can
 * hold what the plugin's options cannot, such as a seed function and your own layers. Its
 * options are merged over the plugin's. (Not a React hook: the name keeps linters' hook
 * rules out of the way.)
 */
export function configureSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  checkInstalledAtStart()
  configure(options)
}

/**
 * @deprecated Renamed to `configureSqliteFixtures`, which React's `rules-of-hooks` lint
 * rule does not take for a hook. This alias will be removed in a later major version.
 */
export function useSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  noteUseSqliteFixtures('sqlite-fixtures/vitest')
  configureSqliteFixtures(options)
}

// The doc comment below stays in the built file: it must not spell out the mock call, or
// Vitest's mock hoisting rewrites this module's imports where Vitest transforms it.
/**
 * The test-following database handle, typed as better-sqlite3's `Database`: give it to the
 * app's db module in the setup file, through Vitest's module mock of that module, and app
 * code, Drizzle, Kysely or TypeORM on it reach the running test's own database. One object
 * per process; safe to create at import time.
 */
function checkedTestDatabase(): Database {
  checkInstalledAtStart()
  return handle()
}

export { checkedTestDatabase as testDatabase }
