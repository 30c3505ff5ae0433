import fs from 'node:fs'
import {
  DriverUnavailableError,
  type MigrationSet,
  migrationSetId,
  type ResolvedOptions,
  SchemaError,
  SqliteFixturesConfigError,
  SqliteFixturesError,
  type StatementLocation,
  type Template,
} from '../base/index.js'

/**
 * What shapes a template, as the options describe it, without reading a file: what a worker
 * compares with the template the main process handed over.
 */
export interface TemplateInputs {
  /** Absolute paths of the schema files and folders. */
  readonly schema: readonly string[]
  /** The migration sets' identities, in the order they apply. */
  readonly migrations: readonly string[]
  /** The code steps' module paths (option `steps`). */
  readonly steps: readonly string[]
  /** The driver that builds the template. */
  readonly driver: string
  /** The seed: its paths, or a seed function's source; `''` for none. */
  readonly seed: string
  readonly cacheKey: string
}

/**
 * What the main process (Vitest's, Jest's global setup, the build command) hands its workers:
 * the template it built from the schema, the migrations and the seed, or why it could not.
 * Plain JSON, so it travels through Vitest's `provide` or an env var.
 */
export type TemplateHandoff =
  | {
      readonly inputs: TemplateInputs
      readonly key: string
      readonly file: string
      readonly steps: readonly string[]
      /** The project files the steps' modules brought in (a seed module's imports): watch mode reruns on them. */
      readonly modules: readonly string[]
      /** Why better-sqlite3 cannot read the template (a libSQL-only feature in its schema), if it cannot. */
      readonly libsqlOnly?: string | undefined
    }
  | { readonly inputs: TemplateInputs; readonly error: HandedOverError }

interface HandedOverError {
  readonly name: string
  readonly code: string
  readonly message: string
  readonly location?: StatementLocation | undefined
}

/** How a worker uses a handed-over template: as it is, or as the base its own steps go on. */
export type HandoffUse = 'as-is' | 'base'

const noSeed = ''

function seedDescription(seed: ResolvedOptions['seed']): string {
  if (typeof seed === 'function') return `function ${seed.toString()}`
  return seed.length === 0 ? noSeed : JSON.stringify(seed)
}

/** The sets of `sets`, each once, in first-seen order (a layer's set may repeat the options'). */
export function uniqueSets(sets: readonly MigrationSet[]): MigrationSet[] {
  const seen = new Set<string>()
  return sets.filter((set) => {
    const id = migrationSetId(set)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/** The inputs of the template of these options, with these migration sets. */
export function templateInputs(options: ResolvedOptions, sets: readonly MigrationSet[] = options.migrations): TemplateInputs {
  return {
    schema: options.schema,
    migrations: sets.map(migrationSetId),
    steps: options.steps,
    driver: options.driver,
    seed: seedDescription(options.seed),
    cacheKey: options.cacheKey,
  }
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item, i) => item === b[i])

/**
 * Whether, and how, a worker that wants the template of `wanted` (plus, with `moreSteps`,
 * steps of its layers) can use the handed-over one:
 * - `'as-is'`: it is that template;
 * - `'base'`: it holds the schema and the first migration sets, and no seed, so the worker's
 *   further sets, its layers' steps and its seed go on top of it;
 * - `undefined`: it describes another template, and the worker builds its own.
 */
export function handoffUse(handoff: TemplateHandoff | undefined, wanted: TemplateInputs, moreSteps: boolean): HandoffUse | undefined {
  if (!handoff) return undefined
  const given = handoff.inputs
  if (!sameList(given.schema, wanted.schema) || given.cacheKey !== wanted.cacheKey || given.driver !== wanted.driver) return undefined
  if (!sameList(given.migrations, wanted.migrations.slice(0, given.migrations.length))) return undefined
  // Jest's global setup may take a seed function the workers never see (only plain data
  // travels): a worker given no seed of its own uses the handed-over one.
  const inherited = wanted.seed === noSeed && given.seed.startsWith('function ')
  const sameSeed = given.seed === wanted.seed || inherited
  // Code steps go after every migration set: a base that holds them holds all the sets.
  const sameSteps = sameList(given.steps, wanted.steps)
  if (sameSeed && sameSteps && !moreSteps && given.migrations.length === wanted.migrations.length) return 'as-is'
  const baseFits = sameSteps && (given.steps.length === 0 || given.migrations.length === wanted.migrations.length)
  return given.seed === noSeed && baseFits ? 'base' : undefined
}

/**
 * The error a main process met building the template, as the run's one startup error (the
 * plugin's, Jest's global setup's): the runner prints it once and runs no test. Its stack
 * would show the runner's start-up, not the user's file: the message says where.
 */
export function startupFailure(error: HandedOverError): SqliteFixturesError {
  const failure = rebuiltError({ ...error, message: `${error.message}\n  The template could not be built: no test runs until it is fixed.` })
  failure.stack = `${failure.name}: ${failure.message}`
  return failure
}

/** The error the main process met building a template, rebuilt as the same class. */
function rebuiltError({ code, message, location }: HandedOverError): SqliteFixturesError {
  if (code === 'SQLITE_FIXTURES_SCHEMA') return new SchemaError(message, location)
  if (code === 'SQLITE_FIXTURES_CONFIG') return new SqliteFixturesConfigError(message)
  if (code === 'SQLITE_FIXTURES_DRIVER') return new DriverUnavailableError(message)
  return new SqliteFixturesError(message, code)
}

/** The handed-over template, or the error the main process met building it, rebuilt as the same class. */
export function receiveTemplate(handoff: TemplateHandoff): Template {
  if ('key' in handoff) return templateFromFile(handoff.key, handoff.file, handoff.libsqlOnly)
  throw rebuiltError(handoff.error)
}

/** A template another process built (or a run before vouched for), named by its file; its bytes are read on first use. */
export function templateFromFile(key: string, file: string, libsqlOnly?: string): Template {
  let image: Buffer | undefined
  return {
    key,
    file,
    get image() {
      return (image ??= fs.readFileSync(file))
    },
    built: false,
    libsqlOnly,
  }
}
