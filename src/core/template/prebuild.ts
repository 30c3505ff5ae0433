import { type ResolvedOptions, SchemaError, SqliteFixturesError } from '../base/index.js'
import { type TemplateHandoff, type TemplateInputs, templateInputs } from './handoff.js'
import { type Builders, loadTemplate, templateRecipe } from './template.js'

/** A template that failed to build, handed over for the tests that need a database to report. */
function failed(inputs: TemplateInputs, error: unknown): TemplateHandoff {
  if (!(error instanceof SqliteFixturesError)) throw error
  const location = error instanceof SchemaError ? error.location : undefined
  return { inputs, error: { name: error.name, code: error.code, message: error.message, location } }
}

/**
 * Builds (or finds in the cache) the whole template the options describe: schema, ORM
 * migrations and seed, in a main process (Vitest's, Jest's global setup, the build command),
 * before any worker needs it. When nothing it is made from changed since the last run, this
 * reads no input and no template (the stat fast path). A failure is handed over too, for the
 * tests that need a database to report.
 */
export async function prebuildTemplate(options: ResolvedOptions, builders: Builders): Promise<TemplateHandoff> {
  const inputs = templateInputs(options)
  try {
    const { key, file, steps, modules, libsqlOnly } = await loadTemplate(templateRecipe(options, { schema: true, sets: options.migrations }, builders), options)
    return { inputs, key, file, steps, modules, ...(libsqlOnly === undefined ? {} : { libsqlOnly }) }
  } catch (error) {
    return failed(inputs, error)
  }
}
