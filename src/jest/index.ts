import { type SqliteFixturesOptions, useRunnerImport } from '../core/base/index.js'
import { configure, installHooks } from './hooks.js'
import { jestImport } from './module-import.js'

export { deriveTemplate } from './derive.js'
export * from '../core/public.js'
export { testDatabase } from '../core/access/index.js'
export * from '../broker/index.js'

// Project files this package loads (Kysely's TypeScript migrations) go through Jest's transform.
useRunnerImport(jestImport)

/**
 * Configures the per-test databases, from a file in Jest's `setupFilesAfterEnv`, and
 * installs the hooks if `sqlite-fixtures/jest/setup` is not listed too.
 */
export function useSqliteFixtures(options: SqliteFixturesOptions = {}): void {
  configure(options)
  installHooks()
}
