import { prebuildTemplate, type TemplateHandoff } from '../core/handoff.js'
import { resolveOptions, type SqliteFixturesOptions } from '../core/options.js'

/** Jest's workers are forked after its global setup: an env var carries the template to them. */
const handoffVariable = 'SQLITE_FIXTURES_TEMPLATE'

/** The template a global setup built, if one did. */
export function receivedHandoff(): TemplateHandoff | undefined {
  const json = process.env[handoffVariable]
  return json ? (JSON.parse(json) as TemplateHandoff) : undefined
}

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
    const handoff = prebuildTemplate(resolveOptions(options))
    process.env[handoffVariable] = JSON.stringify(handoff)
  }
}
