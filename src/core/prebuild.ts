import { SchemaError, SqliteFixturesError } from './errors.js'
import { templateInputs, type TemplateHandoff } from './handoff.js'
import type { ResolvedOptions } from './options.js'
import { loadTemplateSync, optionSteps } from './template.js'

/**
 * Builds (or finds in the cache) the template of these options' schema and seed, in the
 * main process; a failure is handed over too, for the tests that need a database to report.
 */
export function prebuildTemplate(options: ResolvedOptions): TemplateHandoff {
  const inputs = templateInputs(options)
  try {
    const { key, file } = loadTemplateSync(optionSteps(options), options)
    return { inputs, key, file }
  } catch (error) {
    if (!(error instanceof SqliteFixturesError)) throw error
    const location = error instanceof SchemaError ? error.location : undefined
    return { inputs, error: { name: error.name, code: error.code, message: error.message, location } }
  }
}
