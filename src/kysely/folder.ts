import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { folderEntries, type ModuleImport } from '../core/base/index.js'
import { KyselyLayerError } from './errors.js'
import { kyselyModule } from './orm.js'
import type { KyselyMigration, KyselyMigrationProvider } from './types.js'

/** A migration file: its migration's name (the file name without its extension) and its path. */
export interface MigrationFile {
  readonly name: string
  readonly file: string
}

/**
 * The extensions Kysely's `FileMigrationProvider` loads (declarations aside): 0.29 added
 * `.cjs` and `.cts`; 0.28 (whose root module still exports `Migrator`) skips them.
 */
function migrationExtensions(): readonly string[] {
  const kysely028 = typeof (kyselyModule() as Record<string, unknown>)['Migrator'] === 'function'
  return kysely028 ? ['.js', '.ts', '.mjs', '.mts'] : ['.js', '.ts', '.mjs', '.mts', '.cjs', '.cts']
}

/** Whether Kysely's `FileMigrationProvider` loads the file: a script of an extension it reads, not a declaration. */
function isMigrationFile(fileName: string, extensions: readonly string[]): boolean {
  return extensions.includes(path.extname(fileName)) && !/\.d\.[cm]?ts$/.test(fileName)
}

/** The option as an absolute folder path, checked to exist. */
export function resolveFolder(option: string | URL): string {
  const folder = option instanceof URL || option.startsWith('file:') ? fileURLToPath(option) : option
  if (!path.isAbsolute(folder)) {
    throw new KyselyLayerError(
      `sqlite-fixtures: migrationFolder must be an absolute path or a file: URL, got "${folder}" (the working ` +
        "directory and the test runner's root can differ). Use e.g. new URL('../migrations', import.meta.url), " +
        "or path.join(__dirname, '../migrations') in CommonJS.",
    )
  }
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new KyselyLayerError(`sqlite-fixtures: migrationFolder "${folder}" is not a folder. Give the folder of your Kysely migration files.`)
  }
  return folder
}

/**
 * The migration files of a folder, in the order Kysely's `Migrator` runs them (by name, as
 * `Array.prototype.sort` orders strings). Two files with one name (`001.ts`, `001.js`)
 * are an error: Kysely would silently keep one.
 */
export function migrationFiles(folder: string): MigrationFile[] {
  const byName = new Map<string, string>()
  const extensions = migrationExtensions()
  // Symbolic links are followed, as Kysely's provider follows them; one that points nowhere is named.
  const names = folderEntries(folder, 'the Kysely migrations folder').map((entry) => entry.name)
  for (const fileName of names.filter((name) => isMigrationFile(name, extensions))) {
    const name = fileName.slice(0, fileName.lastIndexOf('.'))
    const other = byName.get(name)
    if (other !== undefined) {
      throw new KyselyLayerError(
        `sqlite-fixtures: ${other} and ${fileName} in ${folder} are both migration "${name}". Keep one of them.`,
      )
    }
    byName.set(name, fileName)
  }
  if (byName.size === 0) {
    throw new KyselyLayerError(
      `sqlite-fixtures: migrationFolder "${folder}" holds no migration file (${extensions.join(', ')}).`,
    )
  }
  return [...byName.keys()].sort().map((name) => ({ name, file: path.join(folder, byName.get(name) as string) }))
}

function isMigration(value: unknown): value is KyselyMigration {
  return typeof value === 'object' && value !== null && typeof (value as { up?: unknown }).up === 'function'
}

/**
 * A `MigrationProvider` over a folder that loads each file with `load` (the test runner's
 * own loader), where Kysely's `FileMigrationProvider` would use Node's `import()`. A module
 * exports its migration by name (`export async function up`) or as its default export; one
 * that exports no `up` is skipped, as Kysely skips it.
 */
export function folderProvider(folder: string, load: ModuleImport): KyselyMigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, KyselyMigration> = {}
      for (const { name, file } of migrationFiles(folder)) {
        let loaded: unknown
        try {
          loaded = await load(file)
        } catch (error) {
          throw new KyselyLayerError(
            `sqlite-fixtures: Kysely migration file ${file} failed to load: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          )
        }
        const exports = loaded as { default?: unknown } | null
        if (isMigration(exports?.default)) migrations[name] = exports.default
        else if (isMigration(exports)) migrations[name] = exports
      }
      return migrations
    },
  }
}
