import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import packageJson from '../../../package.json' with { type: 'json' }
import {
  type MigrationContext,
  type MigrationSet,
  type MigrationSteps,
  type ModuleGraph,
  type ModuleImport,
  type ModuleInputs,
  monotonicClock,
  type ResolvedOptions,
  SchemaError,
  SqliteFixturesConfigError,
  type Template,
  type TemplateDriver,
  type TemplateStep,
  verbose,
  wallClock,
} from '../base/index.js'
import { driverVersion, libsqlVersion, openScratch, openScratchFile, removeDatabaseFile, snapshot, unreadableSchema, writeDatabaseFile } from '../driver/index.js'
import { applyScriptWithLibsql, buildWithLibsql, type LibsqlBuild } from './libsql-build.js'
import { applyScript } from './script.js'
import { withLock } from './lock.js'
import { buildFileName, markUsed, pruneTemplates, readTemplate, sweepStaleWrites, usableCacheDir, writeTemplate } from './cache.js'
import { templateFromFile, templateInputs, type TemplateInputs } from './handoff.js'
import { type InputStats, knownTemplate, pruneManifests, recordTemplate, statInputs } from './manifest.js'
import { knownGraph, noModules, pruneRecords, recordGraph } from './modules.js'
import { isModulePath, readSqlSources } from './sources.js'

/**
 * What a template is made of: a description of its inputs that needs no file read (for the
 * stat fast path), the paths its steps read, and the steps themselves, computed only when
 * the fast path cannot vouch for a cached template.
 */
export interface TemplateRecipe {
  /** The options' inputs, without reading a file; `undefined` when a layer's steps can only be known by computing them. */
  readonly inputs: TemplateInputs | undefined
  /** The files and folders the steps read: their stats vouch for the cached template on the next run. */
  readonly paths: readonly string[]
  /** The template the steps go on (the one a main process handed over), if any. */
  readonly base?: Template | undefined
  /** The loader's module graph, which tells what the modules the steps load brought in. */
  readonly modules?: ModuleGraph | undefined
  steps(): Promise<readonly TemplateStep[]>
}

/**
 * A loaded template, with the names of the steps it was built from and the project files
 * their modules brought in (watch mode reruns on them too).
 */
export type LoadedTemplate = Template & { readonly steps: readonly string[]; readonly modules: readonly string[] }

function scriptSteps(option: string, paths: readonly string[], rootDir: string): TemplateStep[] {
  return readSqlSources(option, paths, rootDir).map((source) => ({
    name: source.name,
    fingerprint: source.sql,
    files: [source.file],
    apply: (db, scratch) => applyScript(db, source.sql, source.file, scratch),
    applyLibsql: (client) => applyScriptWithLibsql(client, source.sql, source.file),
  }))
}

/** The steps of the `schema` option. */
export function schemaSteps(options: ResolvedOptions): TemplateStep[] {
  return scriptSteps('schema', options.schema, options.rootDir)
}

/** The steps of migration sets, in order, by the ORMs' own migrators. */
export async function migrationSteps(sets: readonly MigrationSet[], stepsOf: MigrationSteps, context: MigrationContext): Promise<TemplateStep[]> {
  const steps: TemplateStep[] = []
  for (const set of sets) steps.push(...(await stepsOf(set, context)))
  return steps
}

/** What a code step is called in its errors: the option that names it. */
type CodeOption = 'seed' | 'steps'

/** Runs a code step's function (a seed, or migrations as code) with the driver's client, reporting a failure as the step's. */
async function runCode(option: CodeOption, name: string, code: unknown, db: unknown): Promise<void> {
  const what = option === 'seed' ? `the seed ${name}` : `the template step ${name}`
  if (typeof code !== 'function') {
    throw new SchemaError(`sqlite-fixtures: ${what} exports no ${option === 'seed' ? 'seed ' : ''}function: give it a default export (db) => { ... }.`)
  }
  try {
    await (code as (db: unknown) => unknown)(db)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new SchemaError(`sqlite-fixtures: ${what} failed: ${reason}`, undefined, { cause: error })
  }
}

/**
 * A code step's application with the driver the options name: better-sqlite3's `Database`,
 * or (`driver: 'libsql'`) a libSQL `Client` on the template's file. `load` gives its function.
 */
function withDriver(option: CodeOption, name: string, driver: TemplateDriver, load: () => Promise<unknown>): Pick<TemplateStep, 'apply' | 'applyLibsql'> {
  const run = async (db: unknown) => runCode(option, name, await load(), db)
  return driver === 'libsql' ? { apply: () => needsLibsql(name), applyLibsql: run } : { apply: run }
}

/** A libSQL step reached without libSQL: only a build by better-sqlite3 would, which `driver: 'libsql'` never makes. */
function needsLibsql(name: string): never {
  throw new SqliteFixturesConfigError(`sqlite-fixtures: ${name} takes a libSQL client (driver: 'libsql'), but this template is built with better-sqlite3.`)
}

/** A module's step (a seed module, migrations as code): its file is the fingerprint; the module is loaded only to build. */
function moduleStep(option: CodeOption, file: string, options: ResolvedOptions, context: MigrationContext): TemplateStep {
  const name = path.relative(options.rootDir, file).split(path.sep).join('/')
  if (!isModulePath(file)) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: option "${option}" names ${file}, which is not a module (.ts, .js, .mts, .cjs, ...): give modules whose default export is a function (db) => { ... }.`,
    )
  }
  let source: string
  try {
    source = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: option "${option}" names the module ${file}, which cannot be read (relative paths are resolved from ${options.rootDir}).`,
      { cause: error },
    )
  }
  const load = async () => {
    const loaded = (await context.importModule(file)) as { default?: unknown; seed?: unknown }
    return loaded.default ?? (option === 'seed' ? loaded.seed : undefined)
  }
  return {
    name: `${option === 'seed' ? 'seed' : 'step'} module ${name}`,
    fingerprint: source,
    files: [file],
    ...withDriver(option, `module ${name}`, options.driver, load),
  }
}

/** The steps of the `steps` option: migrations as code, after the schema and the migration sets. */
export function codeSteps(options: ResolvedOptions, context: MigrationContext): TemplateStep[] {
  return options.steps.map((file) => moduleStep('steps', file, options, context))
}

/** The steps of the `seed` option: last, after the migrations and the layers' own steps, so it can fill their tables. */
export function seedSteps(options: ResolvedOptions, context: MigrationContext): TemplateStep[] {
  const { seed } = options
  if (typeof seed === 'function') {
    // The source text stands for the function; data it reads from elsewhere belongs in `cacheKey`.
    return [{ name: `seed function ${seed.name || '(anonymous)'}`, fingerprint: seed.toString(), ...withDriver('seed', 'function', options.driver, async () => seed) }]
  }
  return seed.flatMap((entry) => (isModulePath(entry) ? [moduleStep('seed', entry, options, context)] : scriptSteps('seed', [entry], options.rootDir)))
}

/**
 * The key of the steps: a hash of everything about them that is known before their modules
 * load (and of the template they start from). The template's own key adds what those
 * modules brought in (see `modules.ts`).
 */
function stepsKey(steps: readonly TemplateStep[], options: ResolvedOptions, base: Template | undefined): string {
  // Loaded here, not imported: node:crypto costs ~15 ms to load, and a worker that uses a
  // template the main process built never hashes.
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256')
  const parts = [`sqlite-fixtures ${packageJson.version}`, `better-sqlite3 ${driverVersion()}`, `key ${options.cacheKey}`]
  if (options.driver === 'libsql') parts.push(`built by @libsql/client ${libsqlVersion()}`)
  if (base) parts.push(`base ${base.key}`)
  for (const step of steps) parts.push(`step ${step.name}`, step.fingerprint)
  for (const part of parts) hash.update(`${part.length}:${part}\n`)
  return hash.digest('hex').slice(0, 32)
}

/** The template's key: its steps' key and the digest of what their modules brought in. */
function templateKey(stepsKey: string, modulesDigest: string): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(`${stepsKey}\n${modulesDigest}`).digest('hex').slice(0, 32)
}

/** What the stat fast path keys a recipe by: its inputs, the versions that shape the file, and its base. */
function describe(recipe: TemplateRecipe): string | undefined {
  if (!recipe.inputs) return undefined
  const libsql = recipe.inputs.driver === 'libsql' ? libsqlVersion() : undefined
  return JSON.stringify({ plugin: packageJson.version, betterSqlite3: driverVersion(), libsql, base: recipe.base?.key, ...recipe.inputs })
}

/** A new database holding `base` (or nothing), with foreign keys on. */
function startingPoint(base: Template | undefined): Database.Database {
  // Foreign keys on while building too, so a seed that breaks one fails here, not in a test.
  return openScratch(base?.image)
}

function scratchBefore(steps: readonly TemplateStep[], index: number, base: Template | undefined): () => Database.Database {
  return () => {
    const db = startingPoint(base)
    steps.slice(0, index).forEach((step, i) => step.apply(db, scratchBefore(steps, i, base)))
    return db
  }
}

async function build(steps: readonly TemplateStep[], base: Template | undefined, options: ResolvedOptions, cacheDir: string): Promise<LibsqlBuild> {
  if (options.driver === 'libsql') return buildWithLibsql(steps, base, cacheDir)
  if (steps.some((step) => step.onFile)) return buildInFile(steps, base, cacheDir)
  const db = startingPoint(base)
  try {
    for (const [index, step] of steps.entries()) await step.apply(db, scratchBefore(steps, index, base))
    return { image: snapshot(db), libsqlOnly: undefined }
  } finally {
    db.close()
  }
}

/**
 * Builds in a file, for steps whose driver opens the file itself. A failure is explained on a
 * copy of the database as it was before the failing step (a step on the file cannot be
 * replayed in memory), and the file goes with its journals, whatever happens.
 */
async function buildInFile(steps: readonly TemplateStep[], base: Template | undefined, cacheDir: string): Promise<LibsqlBuild> {
  const file = buildFileName(cacheDir, 'file-build')
  if (base) writeDatabaseFile(file, base.image)
  let db: Database.Database | undefined
  try {
    db = openScratchFile(file)
    for (const step of steps) {
      const before = snapshot(db)
      await step.apply(db, () => openScratch(before))
    }
    return { image: snapshot(db), libsqlOnly: undefined }
  } finally {
    if (db?.open) db.close()
    removeDatabaseFile(file)
  }
}

function cachedTemplate(cacheDir: string, key: string, driver: TemplateDriver): Template | undefined {
  const found = readTemplate(cacheDir, key)
  // Only libSQL builds a template with a feature of its own in the schema.
  return found && { key, ...found, built: false, libsqlOnly: driver === 'libsql' ? unreadableSchema(found.file) : undefined }
}

function publish(cacheDir: string, key: string, { image, libsqlOnly }: LibsqlBuild, steps: number, started: number): Template {
  const file = writeTemplate(cacheDir, key, image)
  pruneTemplates(cacheDir)
  pruneManifests(cacheDir)
  pruneRecords(cacheDir)
  verbose(`template built: ${file} (${steps} steps, ${Math.round(monotonicClock() - started)} ms)`)
  return { key, file, image, built: true, libsqlOnly }
}

/** A template found or built for a recipe, with the modules its build loaded. */
interface Found {
  readonly template: Template
  readonly modules: ModuleInputs
  /** Whether the modules are recorded: not when one changed while the build loaded it. */
  readonly recorded: boolean
}

/** The stats of both lists (a path in both once), as of the earlier of the two times they were taken. */
function joinStats(a: InputStats, b: InputStats): InputStats {
  const seen = new Set(a.inputs.map((input) => input.path))
  return { inputs: [...a.inputs, ...b.inputs.filter((input) => !seen.has(input.path))], statted: Math.min(a.statted, b.statted) }
}

/**
 * Returns the template of a recipe: vouched for by the stat fast path when nothing it was
 * read from changed (nothing is read or hashed then, and its bytes are read on first use),
 * else from the cache when an identical one was built before (by this run, an earlier one,
 * or another process), else built and cached. Processes building the same template at once
 * (workers, or several runs started together) build it once: the others wait for it.
 */
export async function loadTemplate(recipe: TemplateRecipe, options: ResolvedOptions): Promise<LoadedTemplate> {
  const cacheDir = usableCacheDir(options.cacheDir)
  const description = describe(recipe)
  const vouched = description === undefined ? undefined : knownTemplate(cacheDir, description)
  if (description !== undefined && vouched) {
    const { known, stats } = vouched
    verbose(`template cache hit, inputs unchanged: ${known.file}`)
    // Touched at most hourly, for pruning; the manifest then records the new time.
    if (markUsed(known.file)) recordTemplate(cacheDir, description, known, stats)
    // Assigned, not spread: the spread would read the bytes now, through the image getter.
    return Object.assign(templateFromFile(known.key, known.file, known.libsqlOnly), { steps: known.steps, modules: known.modules })
  }
  // Statted before the steps read the files: a file changed meanwhile differs on the next run.
  const stats = description === undefined ? undefined : statInputs(recipe.paths)
  const steps = await recipe.steps()
  const ownKey = stepsKey(steps, options, recipe.base)
  let moduleStats: InputStats | undefined
  const lookup = (): Found | undefined => {
    // Statted before the digest reads them, as above.
    const recorded = knownGraph(cacheDir, ownKey, options.rootDir, (inputs) => (moduleStats = statInputs([...inputs.files, ...inputs.packages])))
    const template = recorded && cachedTemplate(cacheDir, templateKey(ownKey, recorded.digest), options.driver)
    return template && { template, modules: recorded, recorded: true }
  }
  let found = lookup()
  if (found) verbose(`template cache hit: ${found.template.file}`)
  else {
    found = await withLock(path.join(cacheDir, `template-${ownKey}.lock`), lookup, async () => {
      sweepStaleWrites(cacheDir)
      const started = monotonicClock()
      const startedWall = wallClock()
      const built = await build(steps, recipe.base, options, cacheDir)
      const modules = recipe.modules?.inputsOf(steps.flatMap((step) => step.files ?? [])) ?? noModules
      moduleStats = statInputs([...modules.files, ...modules.packages])
      // A graph that changed while it loaded is not recorded: the template goes under a key no run looks up.
      const digest = recordGraph(cacheDir, ownKey, modules, options.rootDir, startedWall)
      const key = templateKey(ownKey, digest ?? `unrecorded ${startedWall} ${Math.random()}`)
      const template = cachedTemplate(cacheDir, key, options.driver) ?? publish(cacheDir, key, built, steps.length, started)
      return { template, modules, recorded: digest !== undefined }
    })
    if (!found.template.built) verbose(`template cache hit: ${found.template.file} (built by another process)`)
  }
  const { template, modules } = found
  const names = steps.map((step) => step.name)
  const known = { key: template.key, file: template.file, steps: names, modules: modules.files, libsqlOnly: template.libsqlOnly }
  // No manifest for a template whose modules changed while it was built: the next run looks again.
  if (description !== undefined && stats && moduleStats && found.recorded) recordTemplate(cacheDir, description, known, joinStats(stats, moduleStats))
  return Object.assign(template, { steps: names, modules: modules.files })
}

/** How a process builds what the options describe: its ORMs' migration steps, and its way to load project modules. */
export interface Builders {
  readonly stepsOf: MigrationSteps
  readonly importModule: ModuleImport
  /** What the modules it loads bring in, as its loader records them; without it, only the steps' own files count. */
  readonly modules?: ModuleGraph | undefined
}

/** The parts of a template: which of the options' inputs, which sets, which layers' steps, on which base. */
export interface RecipeParts {
  /** Whether the schema is applied (not when it is in `base` already). */
  readonly schema: boolean
  readonly sets: readonly MigrationSet[]
  /** Layers' own steps, computed only when needed; they turn the fast path off. */
  readonly layerSteps?: (() => Promise<readonly TemplateStep[]>) | undefined
  readonly base?: Template | undefined
}

/** The recipe of a template: schema, migration sets, layers' steps, then the seed, as the parts say. */
export function templateRecipe(options: ResolvedOptions, parts: RecipeParts, builders: Builders): TemplateRecipe {
  const context: MigrationContext = { rootDir: options.rootDir, importModule: builders.importModule }
  const schema = parts.schema ? options.schema : []
  const seed = typeof options.seed === 'function' ? [] : options.seed
  return {
    inputs: parts.layerSteps ? undefined : templateInputs({ ...options, schema }, parts.sets),
    paths: [...schema, ...parts.sets.map((set) => set.folder), ...(parts.schema ? options.steps : []), ...seed],
    base: parts.base,
    modules: builders.modules,
    steps: async () => [
      ...(parts.schema ? schemaSteps(options) : []),
      ...(await migrationSteps(parts.sets, builders.stepsOf, context)),
      ...(parts.schema ? codeSteps(options, context) : []),
      ...((await parts.layerSteps?.()) ?? []),
      ...seedSteps(options, context),
    ],
  }
}
