import { type ResolvedOptions, SchemaError, SqliteFixturesError } from '../base/index.js'
import { templateInputs, type TemplateHandoff } from './handoff.js'
import { loadTemplate, loadTemplateSync, optionSteps } from './template.js'

/** A template that failed to build, handed over for the tests that need a database to report. */
function failed(inputs: string, error: unknown): TemplateHandoff {
  if (!(error instanceof SqliteFixturesError)) throw error
  const location = error instanceof SchemaError ? error.location : undefined
  return { inputs, error: { name: error.name, code: error.code, message: error.message, location } }
}

/**
 * Builds (or finds in the cache) the template of these options' schema and seed, in the
 * main process, synchronously: the options are data (SQL files), as the Vitest plugin's are.
 */
export function prebuildTemplate(options: ResolvedOptions): TemplateHandoff {
  const inputs = templateInputs(options)
  try {
    const { key, file } = loadTemplateSync(optionSteps(options), options)
    return { inputs, key, file }
  } catch (error) {
    return failed(inputs, error)
  }
}

/** `prebuildTemplate` for options that may hold a seed function, sync or async (Jest's global setup). */
export async function prebuildTemplateAsync(options: ResolvedOptions): Promise<TemplateHandoff> {
  const inputs = templateInputs(options)
  try {
    const { key, file } = await loadTemplate(optionSteps(options), options)
    return { inputs, key, file }
  } catch (error) {
    return failed(inputs, error)
  }
}
