import path from 'node:path'
import type { Database } from 'better-sqlite3'
import { SqliteFixturesConfigError } from './errors.js'
import type { AnyLayer } from './layer.js'
import type { JsonValue, MigrationSet } from './migration-set.js'
import { unknownOption } from './option-names.js'

/** What the teardown check covers: foreign keys, also `PRAGMA integrity_check`, or nothing. */
export type IntegrityLevel = 'foreign-keys' | 'full' | false

/** Where each test's database lives. */
export type SqliteMode = 'memory' | 'file'

/** A value for `PRAGMA name = value`. */
export type PragmaValue = string | number | boolean

/** Puts data into the template once; runs after the schema. */
export type SeedFunction = (db: Database) => void | Promise<void>

/**
 * The SQLite library that builds the template, and whose client code steps and seed
 * modules are given: `'better-sqlite3'` (its `Database`) or `'libsql'` (a `@libsql/client`
 * `Client` on the template's file, with libSQL's own SQL and migrator).
 */
export type TemplateDriver = 'better-sqlite3' | 'libsql'

/** Options for `configureSqliteFixtures()` and the `sqliteFixtures()` plugin. */
export interface SqliteFixturesOptions {
  /**
   * `'memory'` (default): each test's database is an in-memory copy of the template.
   * `'file'`: each test's database is a copy of the template file in a private temp dir,
   * for code that opens its own connection (its path is in `process.env[env]`).
   */
  mode?: SqliteMode
  /** `.sql` files, or folders of them, applied once to the template in name order. */
  schema?: string | readonly string[]
  /**
   * Your ORM's migrations, applied once to the template after the schema, by the ORM's own
   * migrator: `drizzleMigrations({ folder })`, `kyselyMigrations({ folder })`,
   * `prismaMigrations()`. Plain data, so the plugin's main process applies them before any
   * worker starts (and `npx sqlite-fixtures build` does too).
   */
  migrations?: readonly MigrationSet[]
  /**
   * Migrations as code: modules whose default export is a function given a client of the
   * `driver` and awaited, once, in the main process (`'tests/migrate.ts'`, where your app's
   * own `runMigrations(db)` runs). After the schema and the ORM migration sets, before the
   * layers' steps and the seed. Each module and every project file it imports is hashed into
   * the cache key.
   */
  steps?: string | readonly string[]
  /**
   * The SQLite library the template is built with, and whose client `steps` and seed modules
   * get: `'better-sqlite3'` (default) or `'libsql'`, for an app on `@libsql/client` (libSQL's
   * SQL, such as `ALTER TABLE ... ALTER COLUMN`, and its migrators). Tests still get their
   * database as today; a template only libSQL can read is served to `testLibsqlClient()` alone.
   */
  driver?: TemplateDriver
  /**
   * Data put into the template once, last: after the schema, the migrations and the layers'
   * own steps, so it can fill their tables. `.sql` files, folders of them, modules whose
   * default export is a seed function (`'tests/seed.ts'`, plain data the plugin can hold), or
   * a function (setup file only).
   */
  seed?: string | readonly string[] | SeedFunction
  /**
   * Pragmas set on every test's connection, over the defaults (`foreign_keys = ON`; in
   * file mode also `journal_mode = MEMORY` and `synchronous = OFF`, safe for throwaway files).
   */
  pragmas?: Readonly<Record<string, PragmaValue>>
  /** `true` (default): every test gets a database unless tagged `no-db`. `false`: only tests tagged `db`. */
  auto?: boolean
  /** File mode only: the env var set to the test's database path during the test (`false` for none). Default `DATABASE_URL`. */
  env?: string | false
  /** Extra layers (fixtures built on `db` and each other), created lazily per test. */
  layers?: readonly AnyLayer[]
  /** Where built templates are cached. Default `node_modules/.cache/sqlite-fixtures` under `rootDir`. */
  cacheDir?: string
  /** Anything else that shapes the template (e.g. the version of data a seed function reads). */
  cacheKey?: string
  /** Where the private temp dirs of file mode are made. Default: the OS temp dir. */
  tempDir?: string
  /** The directory relative paths are resolved from. Default `process.cwd()`. */
  rootDir?: string
  /**
   * `'failed'`: keep a failed test's database on disk and print its path (memory mode writes
   * it out). Default `'never'`, or `SQLITE_FIXTURES_KEEP=failed` from the command line.
   */
  keep?: KeepMode
  /**
   * `'clone'` (default): each test gets its own copy of the template. `'savepoint'`: the
   * tests of a file share one copy and each runs in a savepoint rolled back afterwards, so
   * the cost per test does not grow with the template; for large templates. Memory mode
   * only, one test at a time, and code under test must not open its own transaction with a
   * raw `BEGIN` (see docs/performance.md, on large templates).
   */
  isolation?: Isolation
  /**
   * Records the statements each test's database runs (parameters inlined, long ones cut), to
   * show the last `size` of them in a failed test's report and to serve `expectQueries()`.
   * Default `{ size: 50 }`; `false` turns it off.
   */
  sqlLog?: boolean | SqlLogOptions
  /**
   * After a test passes, checks its database: `'foreign-keys'` (default) runs
   * `PRAGMA foreign_key_check` when the test could have left a row that breaks one (it turned
   * checks off or deferred them, or another connection wrote); `'full'` also runs
   * `PRAGMA integrity_check`, after every test that wrote; `false` checks nothing.
   * A problem fails the test, naming the table, the row and the parent table.
   */
  integrity?: IntegrityLevel
}

/** Settings of the statement log. */
export interface SqlLogOptions {
  /** How many of a test's last statements a failure report shows. Default 50. */
  size?: number
}

/** How each test's database is kept apart from the others'. */
export type Isolation = 'clone' | 'savepoint'

/** Which test databases outlive their test. */
export type KeepMode = 'never' | 'failed'

/** Options after validation: paths absolute, defaults filled in. */
export interface ResolvedOptions {
  readonly mode: SqliteMode
  readonly schema: readonly string[]
  /** Folders resolved from `rootDir`. */
  readonly migrations: readonly MigrationSet[]
  /** Module paths, resolved from `rootDir`. */
  readonly steps: readonly string[]
  readonly driver: TemplateDriver
  readonly seed: readonly string[] | SeedFunction
  readonly pragmas: Readonly<Record<string, PragmaValue>>
  readonly auto: boolean
  readonly env: string | false
  readonly layers: readonly AnyLayer[]
  readonly cacheDir: string
  readonly cacheKey: string
  readonly tempDir: string | undefined
  readonly rootDir: string
  readonly keep: KeepMode
  readonly isolation: Isolation
  readonly sqlLog: Required<SqlLogOptions> | false
  readonly integrity: IntegrityLevel
}

const optionNames = [
  'mode', 'schema', 'migrations', 'steps', 'driver', 'seed', 'pragmas', 'auto', 'env', 'layers',
  'cacheDir', 'cacheKey', 'tempDir', 'rootDir', 'keep', 'isolation', 'sqlLog', 'integrity',
] as const satisfies readonly (keyof SqliteFixturesOptions)[]

const pragmaName = /^[A-Za-z_][A-Za-z0-9_]*$/
const pragmaWord = /^[A-Za-z0-9_.-]+$/

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

function fail(option: string, expected: string, value: unknown): never {
  throw new SqliteFixturesConfigError(
    `sqlite-fixtures: option "${option}" must be ${expected}, got ${describeValue(value)}.`,
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function pathList(option: string, value: unknown, rootDir: string): string[] {
  if (value === undefined) return []
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
    fail(option, 'a path or an array of paths', value)
  }
  return (list as string[]).map((item) => path.resolve(rootDir, item))
}

function optionalString(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') fail(option, 'a non-empty string', value)
  return value
}

function checkPragmas(value: unknown): Record<string, PragmaValue> {
  if (value === undefined) return {}
  if (!isRecord(value)) fail('pragmas', 'an object of pragma names to values', value)
  for (const [name, setting] of Object.entries(value)) {
    if (!pragmaName.test(name)) fail(`pragmas.${name}`, 'named by a valid pragma name', name)
    const ok =
      typeof setting === 'number' ||
      typeof setting === 'boolean' ||
      (typeof setting === 'string' && pragmaWord.test(setting))
    if (!ok) fail(`pragmas.${name}`, 'a number, a boolean or a single word', setting)
  }
  return value as Record<string, PragmaValue>
}

function checkLayers(value: unknown): AnyLayer[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) fail('layers', 'an array of layers', value)
  value.forEach((layer: unknown, index) => {
    if (!isRecord(layer) || typeof layer.name !== 'string' || typeof layer.setup !== 'function') {
      fail(`layers[${index}]`, 'a layer: { name, dependsOn?, setup, teardown? }', layer)
    }
  })
  return value as AnyLayer[]
}

function isJson(value: unknown): value is JsonValue {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true
  if (Array.isArray(value)) return value.every(isJson)
  return isRecord(value) && isPlainObject(value) && Object.values(value).every(isJson)
}

/** A literal object, from this realm or another (Vitest's vm pools load the config in one realm and the setup in another). */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === null || Object.getPrototypeOf(prototype) === null
}

function checkMigrations(value: unknown, rootDir: string): MigrationSet[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) fail('migrations', 'an array of migration sets, e.g. [drizzleMigrations({ folder: "drizzle" })]', value)
  return value.map((set: unknown, index): MigrationSet => {
    const { orm, folder, settings, madeBy } = (isRecord(set) ? set : {}) as Partial<MigrationSet>
    if (typeof orm !== 'string' || typeof folder !== 'string' || folder === '' || (settings !== undefined && !isRecord(settings))) {
      fail(
        `migrations[${index}]`,
        'a migration set made by drizzleMigrations(), kyselyMigrations(), prismaMigrations(), knexMigrations(), knexSeeds(), sequelizeMigrations() or sequelizeSeeders()',
        set,
      )
    }
    if (settings !== undefined && !isJson(settings)) {
      fail(`migrations[${index}].settings`, 'plain data (strings, numbers, booleans, arrays and objects of them)', settings)
    }
    // Kept for messages only: a set without it is named by its ORM.
    const named = isRecord(madeBy) && typeof madeBy.call === 'string' && typeof madeBy.option === 'string'
    return { orm, folder: path.resolve(rootDir, folder), ...(settings === undefined ? {} : { settings }), ...(named ? { madeBy: { call: madeBy.call, option: madeBy.option } } : {}) }
  })
}

const defaultSqlLogSize = 50
const maxSqlLogSize = 10_000

function checkSqlLog(value: unknown): Required<SqlLogOptions> | false {
  if (value === undefined || value === true) return { size: defaultSqlLogSize }
  if (value === false) return false
  if (!isRecord(value)) fail('sqlLog', 'true, false or { size }', value)
  for (const key of Object.keys(value)) {
    if (key !== 'size') fail(`sqlLog.${key}`, 'absent (sqlLog takes only size)', value[key])
  }
  const size = value.size ?? defaultSqlLogSize
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxSqlLogSize) {
    fail('sqlLog.size', `an integer from 1 to ${maxSqlLogSize} (to turn the log off, set sqlLog: false)`, size)
  }
  return { size }
}

/** Rejects misspelled option names the way better-sqlite3 does, with the likely intended one. */
function checkNames(input: Record<string, unknown>): void {
  const unknown = unknownOption(input, optionNames)
  if (unknown) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: unknown option "${unknown.name}". Did you mean "${unknown.guess}"? ` +
        `Known options: ${optionNames.join(', ')}.`,
    )
  }
}

/** Validates user options and fills in defaults. Throws `SqliteFixturesConfigError`. */
export function resolveOptions(input: SqliteFixturesOptions = {}): ResolvedOptions {
  if (!isRecord(input)) fail('options', 'an object', input)
  checkNames(input)
  const rootDir = path.resolve(optionalString('rootDir', input.rootDir) ?? process.cwd())

  const mode = input.mode ?? 'memory'
  if (mode !== 'memory' && mode !== 'file') fail('mode', '"memory" or "file"', mode)

  const auto = input.auto ?? true
  if (typeof auto !== 'boolean') fail('auto', 'true or false', auto)

  const env = input.env ?? 'DATABASE_URL'
  if (env !== false && (typeof env !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env))) {
    fail('env', 'an environment variable name or false', env)
  }

  const keep = input.keep ?? (process.env.SQLITE_FIXTURES_KEEP === 'failed' ? 'failed' : 'never')
  if (keep !== 'never' && keep !== 'failed') fail('keep', '"never" or "failed"', keep)

  const isolation = input.isolation ?? 'clone'
  if (isolation !== 'clone' && isolation !== 'savepoint') fail('isolation', '"clone" or "savepoint"', isolation)
  if (isolation === 'savepoint' && mode === 'file') {
    throw new SqliteFixturesConfigError(
      "sqlite-fixtures: option isolation 'savepoint' cannot be used with mode 'file': the test's writes stay " +
        "uncommitted on one connection, so code that opens its own (through process.env) would not see them. " +
        "Use mode 'memory', or isolation 'clone'.",
    )
  }

  const integrity = input.integrity ?? 'foreign-keys'
  if (integrity !== 'foreign-keys' && integrity !== 'full' && integrity !== false) {
    fail('integrity', '"foreign-keys", "full" or false', integrity)
  }

  const seed =
    typeof input.seed === 'function' ? (input.seed as SeedFunction) : pathList('seed', input.seed, rootDir)

  const driver = input.driver ?? 'better-sqlite3'
  if (driver !== 'better-sqlite3' && driver !== 'libsql') fail('driver', '"better-sqlite3" or "libsql"', driver)

  const cacheDir = optionalString('cacheDir', input.cacheDir)
  const tempDir = optionalString('tempDir', input.tempDir)
  const cacheKey = input.cacheKey ?? ''
  if (typeof cacheKey !== 'string') fail('cacheKey', 'a string', cacheKey)

  return {
    mode,
    schema: pathList('schema', input.schema, rootDir),
    migrations: checkMigrations(input.migrations, rootDir),
    steps: pathList('steps', input.steps, rootDir),
    driver,
    seed,
    pragmas: checkPragmas(input.pragmas),
    auto,
    env,
    layers: checkLayers(input.layers),
    cacheDir: path.resolve(
      rootDir,
      cacheDir ?? process.env.SQLITE_FIXTURES_CACHE_DIR ?? 'node_modules/.cache/sqlite-fixtures',
    ),
    cacheKey,
    tempDir: tempDir === undefined ? undefined : path.resolve(rootDir, tempDir),
    rootDir,
    keep,
    isolation,
    sqlLog: checkSqlLog(input.sqlLog),
    integrity,
  }
}
