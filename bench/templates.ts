// The benchmark's templates, built by the plugin itself, so the bare rows copy exactly the
// bytes the plugin's rows copy.
import fs from 'node:fs'
import path from 'node:path'
// FixtureRuntime and resolveOptions are not exported from the package entry, so the bench
// reaches the core through its source (tsx maps the .js imports to the .ts files).
import { resolveOptions } from '../src/core/base/options.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import type { Template } from '../src/core/base/template-step.js'
import { bulkSeedSql, seedSql, writeSchemaFiles, type SchemaFiles } from './schema.js'

/** One template size, with a plugin runtime per mode over it. */
export interface BenchTemplate {
  /** How the report names this size ("0.5 MB", "50 MB"). */
  readonly label: string
  readonly files: SchemaFiles
  /** The schema and seed text, for the migrate-per-test row. */
  readonly sql: { readonly schema: string; readonly seed: string }
  readonly template: Template
  readonly memory: FixtureRuntime
  readonly file: FixtureRuntime
  /** Memory mode with isolation 'savepoint': one kept connection, rolled back per test. */
  readonly savepoint: FixtureRuntime
}

function runtime(mode: 'memory' | 'file' | 'savepoint', files: SchemaFiles, scratch: string): FixtureRuntime {
  return new FixtureRuntime(
    resolveOptions({
      mode: mode === 'file' ? 'file' : 'memory',
      isolation: mode === 'savepoint' ? 'savepoint' : 'clone',
      schema: [files.schema],
      seed: [files.seed],
      cacheDir: path.join(scratch, 'cache'),
      tempDir: path.join(scratch, 'tmp'),
      rootDir: scratch,
    }),
  )
}

/** Writes the schema and seed, and has the plugin build (memory) and load (file) the template. */
async function prepareTemplate(scratch: string, label: string, seed: string): Promise<BenchTemplate> {
  const dir = path.join(scratch, label.replace(/\W+/g, '-'))
  const files = writeSchemaFiles(dir, seed)
  const memory = runtime('memory', files, scratch)
  const file = runtime('file', files, scratch)
  const savepoint = runtime('savepoint', files, scratch)
  const template = await memory.prepare()
  await file.prepare()
  await savepoint.prepare()
  return {
    label,
    files,
    sql: { schema: fs.readFileSync(files.schema, 'utf8'), seed },
    template,
    memory,
    file,
    savepoint,
  }
}

/** The realistic template: 40 tables, 1,000 seed rows (~0.5 MB). */
export function smallTemplate(scratch: string): Promise<BenchTemplate> {
  return prepareTemplate(scratch, '0.5 MB', seedSql(25))
}

/** Rows per table that make the same schema ~50 MB. */
const largeRowsPerTable = 8_500

/** The same schema with ~340,000 rows (~50 MB), for how cost grows with size. */
export function largeTemplate(scratch: string): Promise<BenchTemplate> {
  return prepareTemplate(scratch, '50 MB', bulkSeedSql(largeRowsPerTable))
}
