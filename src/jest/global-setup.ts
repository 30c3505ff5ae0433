// The entry for Jest's `globalSetup` module: it runs in Jest's main process, outside any
// test environment, so it must not load the hooks (which import '@jest/globals').
import { resolveOptions, type SqliteFixturesOptions } from '../core/base/index.js'
import { prebuildTemplateAsync } from '../core/template/prebuild.js'
import { handoffVariable } from './handoff.js'

/**
 * Builds the template once, in Jest's main process, before any worker starts, so that no
 * test file hashes the schema or reads the cache on its own: export it from the module
 * named by Jest's `globalSetup`, with the same schema, seed and cacheKey as the setup file
 * (a shared options module keeps them in step; if they differ, workers build their own).
 *
 * ```js
 * // jest.global-setup.cjs
 * module.exports = require('sqlite-fixtures/jest/global-setup').globalSetup(require('./tests/fixtures-options.cjs'))
 * ```
 */
export function globalSetup(options: SqliteFixturesOptions = {}): () => Promise<void> {
  return async () => {
    const handoff = await prebuildTemplateAsync(resolveOptions(options))
    process.env[handoffVariable] = JSON.stringify(handoff)
  }
}
