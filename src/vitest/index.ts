import { type SqliteFixturesOptions, useRunnerImport } from '../core/base/index.js'
import { configure } from './runtime.js'
import { vitestImport } from './module-import.js'
import './augment.js'

// Project files this package loads (Kysely's TypeScript migrations) go through Vitest's transform.
useRunnerImport(vitestImport)

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
  configure(options)
}

/**
 * @deprecated Renamed to `configureSqliteFixtures`, which React's `rules-of-hooks` lint
 * rule does not take for a hook. This alias will be removed in a later major version.
 */
export function useSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  configureSqliteFixtures(options)
}
