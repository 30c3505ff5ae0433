import path from 'node:path'
import type Database from 'better-sqlite3'
import packageJson from '../../../package.json' with { type: 'json' }
import { monotonicClock, type ResolvedOptions, SchemaError, SqliteFixturesError, type Template, type TemplateStep, verbose } from '../base/index.js'
import { driverVersion, openScratch, snapshot } from '../driver/index.js'
import { applyScript } from './script.js'
import { withLock } from './lock.js'
import { pruneTemplates, readTemplate, sweepStaleWrites, usableCacheDir, writeTemplate } from './cache.js'
import { readSqlSources } from './sources.js'

function scriptSteps(option: string, paths: readonly string[], rootDir: string): TemplateStep[] {
  return readSqlSources(option, paths, rootDir).map((source) => ({
    name: source.name,
    fingerprint: source.sql,
    files: [source.file],
    apply: (db, scratch) => applyScript(db, source.sql, source.file, scratch),
  }))
}

/** The steps that `schema` and `seed` describe, in the order they apply. */
export function optionSteps(options: ResolvedOptions): TemplateStep[] {
  return [...schemaSteps(options), ...seedSteps(options)]
}

/** The steps of the `schema` option. */
export function schemaSteps(options: ResolvedOptions): TemplateStep[] {
  return scriptSteps('schema', options.schema, options.rootDir)
}

/** The steps of the `seed` option: last, after the layers' own steps, so it can fill the tables an ORM's migrations make. */
export function seedSteps(options: ResolvedOptions): TemplateStep[] {
  const { seed } = options
  if (typeof seed !== 'function') return scriptSteps('seed', seed, options.rootDir)
  return [
    {
      name: `seed function ${seed.name || '(anonymous)'}`,
      // The source text stands for the function; data it reads from elsewhere belongs in `cacheKey`.
      fingerprint: seed.toString(),
      apply: async (db) => {
        try {
          await seed(db)
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          throw new SchemaError(`sqlite-fixtures: the seed function failed: ${reason}`, undefined, { cause: error })
        }
      },
    },
  ]
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

async function build(steps: readonly TemplateStep[], base: Template | undefined): Promise<Buffer> {
  const db = startingPoint(base)
  try {
    for (const [index, step] of steps.entries()) await step.apply(db, scratchBefore(steps, index, base))
    return snapshot(db)
  } finally {
    db.close()
  }
}

/** `build` for steps that are all synchronous (SQL files): what the main process runs. */
function buildSync(steps: readonly TemplateStep[]): Buffer {
  const db = startingPoint(undefined)
  try {
    for (const [index, step] of steps.entries()) {
      const applied = step.apply(db, scratchBefore(steps, index, undefined))
      if (applied instanceof Promise) {
        throw new SqliteFixturesError(`sqlite-fixtures: template step ${step.name} is asynchronous and cannot be built ahead of the run.`)
      }
    }
    return snapshot(db)
  } finally {
    db.close()
  }
}

function cachedTemplate(cacheDir: string, key: string): Template | undefined {
  const found = readTemplate(cacheDir, key)
  return found && { key, ...found, built: false }
}

/** Where the template of these steps is cached, under which key, and the cached one if any. */
function lookUp(steps: readonly TemplateStep[], options: ResolvedOptions, base: Template | undefined): { cacheDir: string; key: string; hit: Template | undefined } {
  const cacheDir = usableCacheDir(options.cacheDir)
  const key = templateKey(steps, options.cacheKey, base)
  const hit = cachedTemplate(cacheDir, key)
  if (hit) verbose(`template cache hit: ${hit.file}`)
  return { cacheDir, key, hit }
}

function publish(cacheDir: string, key: string, image: Buffer, steps: number, started: number): Template {
  const file = writeTemplate(cacheDir, key, image)
  pruneTemplates(cacheDir)
  verbose(`template built: ${file} (${steps} steps, ${Math.round(monotonicClock() - started)} ms)`)
  return { key, file, image, built: true }
}

/**
 * Returns the template for these steps: from the cache when an identical one was built
 * before (by this run, an earlier run, or another worker), otherwise built and cached.
 * With `base`, the steps apply on top of that template (a layer's migrations on top of
 * the template the main process built).
 */
export async function loadTemplate(steps: readonly TemplateStep[], options: ResolvedOptions, base?: Template): Promise<Template> {
  const { cacheDir, key, hit } = lookUp(steps, options, base)
  if (hit) return hit
  // Workers starting together build the template once; the others wait for it.
  const template = await withLock(path.join(cacheDir, `template-${key}.lock`), () => cachedTemplate(cacheDir, key), async () => {
    sweepStaleWrites(cacheDir)
    const started = monotonicClock()
    return publish(cacheDir, key, await build(steps, base), steps.length, started)
  })
  if (!template.built) verbose(`template cache hit: ${template.file} (built by another process)`)
  return template
}

/**
 * `loadTemplate` for SQL steps, synchronously: the main process (Vitest's, Jest's global
 * setup, the build command) builds the template once, before any worker needs it, so it
 * takes no lock; a rare duplicate build by another process is harmless (atomic rename).
 */
export function loadTemplateSync(steps: readonly TemplateStep[], options: ResolvedOptions): Template {
  const { cacheDir, key, hit } = lookUp(steps, options, undefined)
  if (hit) return hit
  sweepStaleWrites(cacheDir)
  const started = monotonicClock()
  return publish(cacheDir, key, buildSync(steps), steps.length, started)
}
