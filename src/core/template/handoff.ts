import fs from 'node:fs'
import { type ResolvedOptions, SchemaError, SqliteFixturesConfigError, SqliteFixturesError, type StatementLocation, type Template } from '../base/index.js'

/**
 * What the main process (Vitest's, or Jest's global setup) hands its workers: the template
 * it built from the schema and seed, or why it could not. Plain JSON, so it travels through
 * Vitest's `provide` or an env var. Workers use it only when their own options describe the
 * same template (`inputs`): a setup file may add a seed function the main process never saw.
 */
export type TemplateHandoff =
  | { readonly inputs: string; readonly key: string; readonly file: string }
  | { readonly inputs: string; readonly error: HandedOverError }

interface HandedOverError {
  readonly name: string
  readonly code: string
  readonly message: string
  readonly location?: StatementLocation | undefined
}

/** The options that decide the template's schema and seed, as a string to compare. */
export function templateInputs(options: ResolvedOptions): string {
  const seed = typeof options.seed === 'function' ? `function ${options.seed.toString()}` : options.seed
  return JSON.stringify({ schema: options.schema, seed, cacheKey: options.cacheKey })
}

/** The handed-over template, or the error the main process met building it, rebuilt as the same class. */
export function receiveTemplate(handoff: TemplateHandoff): Template {
  if ('key' in handoff) return templateFromFile(handoff.key, handoff.file)
  const { code, message, location } = handoff.error
  if (code === 'SQLITE_FIXTURES_SCHEMA') throw new SchemaError(message, location)
  if (code === 'SQLITE_FIXTURES_CONFIG') throw new SqliteFixturesConfigError(message)
  throw new SqliteFixturesError(message, code)
}

/** A template another process built, named by its file; its bytes are read on first use. */
function templateFromFile(key: string, file: string): Template {
  let image: Buffer | undefined
  return {
    key,
    file,
    get image() {
      return (image ??= fs.readFileSync(file))
    },
    built: false,
  }
}
