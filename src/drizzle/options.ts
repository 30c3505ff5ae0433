import { unknownOption } from '../core/base/index.js'
import type { DrizzleConfig } from './types.js'
import { DrizzleLayerError } from './errors.js'
import { drizzleV1, drizzleVersion } from './version.js'

export interface DrizzleLayerOptions<Shape> {
  /**
   * The folder drizzle-kit writes migrations to (its config's `out`), applied to the template
   * by Drizzle's own `migrate()`. A relative path is resolved from the current directory, as
   * Drizzle resolves it. Prefer `migrations: [drizzleMigrations({ folder })]` in the plugin's
   * options: the main process then applies them once per run, before any worker starts;
   * given here, the first test file of each worker that needs a database applies them (or
   * finds them in the cache), unless the plugin's template already holds the same folder.
   * Omit it when the schema comes from elsewhere (the plugin's `migrations` or `schema`).
   */
  migrationsFolder?: string
  /**
   * drizzle-orm 0.x: your schema (`import * as schema from './schema'`), for relational
   * queries (`ctx.drizzle.query.users...`) and types. On 1.x, give `relations` instead.
   */
  schema?: Shape
  /** drizzle-orm 1.x: your relations (`defineRelations(schema, ...)`), for relational queries and types. */
  relations?: Shape
  /** The table Drizzle records applied migrations in, if your config changes it. Default `__drizzle_migrations`. */
  migrationsTable?: string
  /**
   * Anything else your app passes to `drizzle()` that changes its queries (`casing` on 0.x,
   * `logger`, ...), so `ctx.drizzle` builds the SQL your app's instance builds.
   */
  config?: DrizzleConfig
}

/** The options after checking, with defaults. */
export interface CheckedOptions<Shape> {
  readonly migrationsFolder: string | undefined
  readonly schema: Shape | undefined
  readonly relations: Shape | undefined
  readonly migrationsTable: string
  readonly config: DrizzleConfig | undefined
}

const optionNames = ['migrationsFolder', 'schema', 'relations', 'migrationsTable', 'config'] as const

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(call: string, message: string): never {
  throw new DrizzleLayerError(`sqlite-fixtures: ${call}: ${message}`)
}

/** Checks the options of `drizzleLayer()` or `migrator()` (`call` names which, in errors). */
export function checkOptions<Shape>(
  call: string,
  options: DrizzleLayerOptions<Shape>,
  allowed: readonly (typeof optionNames)[number][] = optionNames,
): CheckedOptions<Shape> {
  const { schema, relations } = options ?? {}
  if (!isRecord(options)) fail(call, 'expected an options object, e.g. { migrationsFolder: "drizzle" }.')
  const unknown = unknownOption(options, allowed)
  if (unknown) fail(call, `unknown option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: ${allowed.join(', ')}.`)
  const { migrationsFolder, migrationsTable = '__drizzle_migrations', config } = options
  if (migrationsFolder !== undefined && (typeof migrationsFolder !== 'string' || migrationsFolder === '')) {
    fail(call, 'option "migrationsFolder" must be a path to the folder drizzle-kit writes migrations to.')
  }
  if (typeof migrationsTable !== 'string' || migrationsTable === '') fail(call, 'option "migrationsTable" must be a table name.')
  for (const field of ['schema', 'relations'] as const) {
    if (options[field] !== undefined && !isRecord(options[field])) fail(call, `option "${field}" must be an object.`)
  }
  if (config !== undefined) {
    if (!isRecord(config)) fail(call, 'option "config" must be an object of drizzle() settings.')
    const taken = ['client', 'connection', 'schema', 'relations'].find((key) => key in config)
    if (taken) fail(call, `option "config" cannot set "${taken}": the layer gives the client, and "schema"/"relations" are options of their own.`)
  }
  return { migrationsFolder, schema, relations, migrationsTable, config }
}

/**
 * Checks that `schema` or `relations` is the one the installed drizzle-orm reads. Apart
 * from `checkOptions`, because it reads drizzle-orm's version: the layer checks it when a
 * test first uses it, so a setup file that makes the layer loads nothing of drizzle-orm.
 */
export function checkShapeForVersion(call: string, checked: Pick<CheckedOptions<unknown>, 'schema' | 'relations'>): void {
  if (checked.schema !== undefined && drizzleV1()) {
    fail(
      call,
      `option "schema" is drizzle-orm 0.x's; the installed drizzle-orm ${drizzleVersion()} reads relational queries from ` +
        '"relations" (defineRelations(schema, ...)) and ignores "schema". Pass relations instead.',
    )
  }
  if (checked.relations !== undefined && !drizzleV1()) {
    fail(
      call,
      `option "relations" is drizzle-orm 1.x's; the installed drizzle-orm ${drizzleVersion()} ignores it. Pass your schema ` +
        'as "schema" instead.',
    )
  }
}
