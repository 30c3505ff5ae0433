import type { SqliteFixturesOptions } from '../core/options.js'
import { configure } from './runtime.js'
import './augment.js'

export { sqliteFixtures, fixtureTags } from './plugin.js'
export { fixture, test, type ContextFixtures, type LayerFixture } from './context.js'
export { deriveTemplate } from './derive.js'
export type { TestScope } from '../core/scope.js'
export type { SerializableOptions } from './provided.js'
export * from '../core/public.js'
export * from '../broker/index.js'

/**
 * Configures the per-test databases. Call it from a file in Vitest's `setupFiles`: it can
 * hold what the plugin's options cannot, such as a seed function and your own layers.
 */
export function useSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  configure(options)
}
