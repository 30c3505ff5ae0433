import fs from 'node:fs'
import path from 'node:path'
import type { Knex } from 'knex'
import type { ModuleImport } from '../core/base/index.js'
import { KnexLayerError } from './errors.js'

/** The extensions Knex loads migrations and seeds from by default (its `loadExtensions`). */
export const knexExtensions: readonly string[] = ['.co', '.coffee', '.eg', '.iced', '.js', '.cjs', '.litcoffee', '.ls', '.ts']

/** A migration's file, as Knex's own `FsMigrations` lists it: the name it records is the file name. */
export interface MigrationFile {
  readonly file: string
  readonly directory: string
}

/** Where a migration or seed failed: its file and the error, noted by the wrapped functions. */
export interface Failure {
  file: string
  error: unknown
}

/** The files of `folder` Knex would load, in the order it runs them (by name), directories aside. */
export function knexFiles(folder: string, extensions: readonly string[], kind: 'migration' | 'seed'): string[] {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true })
  } catch (error) {
    throw new KnexLayerError(
      `sqlite-fixtures: the Knex ${kind}s folder ${folder} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}). ` +
        `Give knex${kind === 'seed' ? 'Seeds' : 'Migrations'}({ directory }) your Knex ${kind}s folder, relative to the rootDir option.`,
      { cause: error },
    )
  }
  return entries.filter((entry) => !entry.isDirectory() && extensions.includes(path.extname(entry.name))).map((entry) => entry.name).sort()
}

/** Loads a migration or seed module with the runner's loader; its functions may be named exports or on its default export. */
async function load(file: string, importModule: ModuleImport, wanted: 'up' | 'seed'): Promise<Record<string, unknown>> {
  let loaded: unknown
  try {
    loaded = await importModule(file)
  } catch (error) {
    throw new KnexLayerError(`sqlite-fixtures: Knex ${wanted === 'up' ? 'migration' : 'seed'} file ${file} failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const module = loaded as Record<string, unknown> & { default?: Record<string, unknown> }
  return typeof module[wanted] !== 'function' && typeof module.default?.[wanted] === 'function' ? module.default : module
}

/** `fn`, noting in `failure` which file it was and why, when it throws. */
function noting<A extends unknown[]>(fn: unknown, file: string, failure: { current?: Failure }): ((...args: A) => Promise<unknown>) | undefined {
  if (typeof fn !== 'function') return undefined
  return async (...args: A) => {
    try {
      return await (fn as (...args: A) => unknown)(...args)
    } catch (error) {
      failure.current = { file, error }
      throw error
    }
  }
}

/**
 * A Knex `migrationSource` over a folder, as Knex's own reads it, that loads each file with
 * `importModule` (the test runner's loader: TypeScript migrations load as test code does),
 * where Knex's would use Node's `require`. A migration that throws is noted in `failure`.
 */
export function migrationSource(folder: string, extensions: readonly string[], importModule: ModuleImport, failure: { current?: Failure }): Knex.MigrationSource<MigrationFile> {
  return {
    getMigrations: async () => knexFiles(folder, extensions, 'migration').map((file) => ({ file, directory: folder })),
    getMigrationName: (migration) => migration.file,
    async getMigration(migration) {
      const file = path.join(migration.directory, migration.file)
      const module = await load(file, importModule, 'up')
      const up = noting(module['up'], file, failure)
      if (!up) throw new KnexLayerError(`sqlite-fixtures: Knex migration ${file} exports no up function.`)
      const down = noting(module['down'], file, failure)
      return { up, ...(down ? { down } : {}), ...(module['config'] === undefined ? {} : { config: module['config'] }) } as Knex.Migration
    },
  }
}

/** A Knex `seedSource` over a folder, as Knex's own reads it, loading each seed with `importModule`. */
export function seedSource(folder: string, extensions: readonly string[], importModule: ModuleImport, failure: { current?: Failure }): Knex.SeedSource<string> {
  return {
    getSeeds: async () => knexFiles(folder, extensions, 'seed').map((file) => path.join(folder, file)),
    async getSeed(file) {
      const module = await load(file, importModule, 'seed')
      const seed = noting(module['seed'], file, failure)
      if (!seed) throw new KnexLayerError(`sqlite-fixtures: Knex seed ${file} exports no seed function.`)
      return { seed } as Knex.Seed
    },
  }
}
