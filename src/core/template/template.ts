import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import packageJson from '../../../package.json' with { type: 'json' }
import {
  type MigrationContext,
  type MigrationSet,
  type MigrationSteps,
  type ModuleImport,
  monotonicClock,
  type ResolvedOptions,
  SchemaError,
  SqliteFixturesConfigError,
  type Template,
  type TemplateStep,
  verbose,
} from '../base/index.js'
import { driverVersion, openScratch, openScratchFile, removeDatabaseFile, snapshot, writeDatabaseFile } from '../driver/index.js'
import { applyScript } from './script.js'
import { withLock } from './lock.js'
import { buildFileName, markUsed, pruneTemplates, readTemplate, sweepStaleWrites, usableCacheDir, writeTemplate } from './cache.js'
import { templateFromFile, templateInputs, type TemplateInputs } from './handoff.js'
import { knownTemplate, pruneManifests, recordTemplate, statInputs } from './manifest.js'
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
  steps(): Promise<readonly TemplateStep[]>
}

/** A loaded template, with the names of the steps it was built from. */
export type LoadedTemplate = Template & { readonly steps: readonly string[] }

function scriptSteps(option: string, paths: readonly string[], rootDir: string): TemplateStep[] {
  return readSqlSources(option, paths, rootDir).map((source) => ({
    name: source.name,
    fingerprint: source.sql,
    files: [source.file],
    apply: (db, scratch) => applyScript(db, source.sql, source.file, scratch),
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

/** Runs a seed function, reporting a failure as the seed's. */
async function runSeed(name: string, seed: unknown, db: Database.Database): Promise<void> {
  if (typeof seed !== 'function') {
    throw new SchemaError(`sqlite-fixtures: the seed ${name} exports no seed function: give it a default export (db) => { ... }.`)
  }
  try {
    await (seed as (db: Database.Database) => unknown)(db)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new SchemaError(`sqlite-fixtures: the seed ${name} failed: ${reason}`, undefined, { cause: error })
  }
}

/** A seed module's step: its file is the fingerprint; the module is loaded only to build. */
function moduleStep(file: string, rootDir: string, context: MigrationContext): TemplateStep {
  const name = path.relative(rootDir, file).split(path.sep).join('/')
  let source: string
  try {
    source = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: option "seed" names the module ${file}, which cannot be read (relative paths are resolved from ${rootDir}).`,
      { cause: error },
    )
  }
  return {
    name: `seed module ${name}`,
    fingerprint: source,
    files: [file],
    apply: async (db) => {
      const loaded = (await context.importModule(file)) as { default?: unknown; seed?: unknown }
      await runSeed(`module ${name}`, loaded.default ?? loaded.seed, db)
    },
  }
}

/** The steps of the `seed` option: last, after the migrations and the layers' own steps, so it can fill their tables. */
export function seedSteps(options: ResolvedOptions, context: MigrationContext): TemplateStep[] {
  const { seed } = options
  if (typeof seed === 'function') {
    // The source text stands for the function; data it reads from elsewhere belongs in `cacheKey`.
    return [{ name: `seed function ${seed.name || '(anonymous)'}`, fingerprint: seed.toString(), apply: (db) => runSeed('function', seed, db) }]
  }
  return seed.flatMap((entry) => (isModulePath(entry) ? [moduleStep(entry, options.rootDir, context)] : scriptSteps('seed', [entry], options.rootDir)))
}

/** The cache key: a hash of every input that shapes the template (and of the template it starts from). */
function templateKey(steps: readonly TemplateStep[], cacheKey: string, base: Template | undefined): string {
  // Loaded here, not imported: node:crypto costs ~15 ms to load, and a worker that uses a
  // template the main process built never hashes.
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256')
  const parts = [`sqlite-fixtures ${packageJson.version}`, `better-sqlite3 ${driverVersion()}`, `key ${cacheKey}`]
  if (base) parts.push(`base ${base.key}`)
  for (const step of steps) parts.push(`step ${step.name}`, step.fingerprint)
  for (const part of parts) hash.update(`${part.length}:${part}\n`)
  return hash.digest('hex').slice(0, 32)
}

/** What the stat fast path keys a recipe by: its inputs, the versions that shape the file, and its base. */
function describe(recipe: TemplateRecipe): string | undefined {
  if (!recipe.inputs) return undefined
  return JSON.stringify({ plugin: packageJson.version, driver: driverVersion(), base: recipe.base?.key, ...recipe.inputs })
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

async function build(steps: readonly TemplateStep[], base: Template | undefined, buildFile: string): Promise<Buffer> {
  if (steps.some((step) => step.onFile)) return buildInFile(steps, base, buildFile)
  const db = startingPoint(base)
  try {
    for (const [index, step] of steps.entries()) await step.apply(db, scratchBefore(steps, index, base))
    return snapshot(db)
  } finally {
    db.close()
  }
}

/**
 * Builds in a file, for steps whose driver opens the file itself. A failure is explained on a
 * copy of the database as it was before the failing step (a step on the file cannot be
 * replayed in memory), and the file goes with its journals, whatever happens.
 */
async function buildInFile(steps: readonly TemplateStep[], base: Template | undefined, file: string): Promise<Buffer> {
  if (base) writeDatabaseFile(file, base.image)
  let db: Database.Database | undefined
  try {
    db = openScratchFile(file)
    for (const step of steps) {
      const before = snapshot(db)
      await step.apply(db, () => openScratch(before))
    }
    return snapshot(db)
  } finally {
    if (db?.open) db.close()
    removeDatabaseFile(file)
  }
}

function cachedTemplate(cacheDir: string, key: string): Template | undefined {
  const found = readTemplate(cacheDir, key)
  return found && { key, ...found, built: false }
}

function publish(cacheDir: string, key: string, image: Buffer, steps: number, started: number): Template {
  const file = writeTemplate(cacheDir, key, image)
  pruneTemplates(cacheDir)
  pruneManifests(cacheDir)
  verbose(`template built: ${file} (${steps} steps, ${Math.round(monotonicClock() - started)} ms)`)
  return { key, file, image, built: true }
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
    return Object.assign(templateFromFile(known.key, known.file), { steps: known.steps })
  }
  // Statted before the steps read the files: a file changed meanwhile differs on the next run.
  const stats = description === undefined ? undefined : statInputs(recipe.paths)
  const steps = await recipe.steps()
  const key = templateKey(steps, options.cacheKey, recipe.base)
  let template = cachedTemplate(cacheDir, key)
  if (template) verbose(`template cache hit: ${template.file}`)
  else {
    template = await withLock(path.join(cacheDir, `template-${key}.lock`), () => cachedTemplate(cacheDir, key), async () => {
      sweepStaleWrites(cacheDir)
      const started = monotonicClock()
      return publish(cacheDir, key, await build(steps, recipe.base, buildFileName(cacheDir, key)), steps.length, started)
    })
    if (!template.built) verbose(`template cache hit: ${template.file} (built by another process)`)
  }
  const names = steps.map((step) => step.name)
  if (description !== undefined && stats) recordTemplate(cacheDir, description, { key, file: template.file, steps: names }, stats)
  return Object.assign(template, { steps: names })
}

/** How a process builds what the options describe: its ORMs' migration steps, and its way to load project modules. */
export interface Builders {
  readonly stepsOf: MigrationSteps
  readonly importModule: ModuleImport
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
    paths: [...schema, ...parts.sets.map((set) => set.folder), ...seed],
    base: parts.base,
    steps: async () => [
      ...(parts.schema ? schemaSteps(options) : []),
      ...(await migrationSteps(parts.sets, builders.stepsOf, context)),
      ...((await parts.layerSteps?.()) ?? []),
      ...seedSteps(options, context),
    ],
  }
}
