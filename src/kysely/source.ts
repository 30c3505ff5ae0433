import fs from 'node:fs'
import path from 'node:path'
import type { KyselyPlugin } from 'kysely'
import { importProjectModule, type ModuleImport, unknownOption } from '../core/base/index.js'
import { KyselyLayerError } from './errors.js'
import { folderProvider, migrationFiles, resolveFolder } from './folder.js'
import type { KyselyMigrationOptions, KyselyMigrationProvider } from './types.js'

/** The migrations a Kysely layer or migrator runs: where they come from, and what identifies them. */
export interface MigrationSource {
  /** Shown in the template step's name and in errors. */
  readonly label: string
  /** Everything about the migrations that shapes the migrated database: hashed into the cache key. */
  fingerprint(): Promise<string>
  readonly provider: KyselyMigrationProvider
  /** The file a migration was read from, when it came from a folder. */
  fileOf(name: string): string | undefined
  /** The folder the migrations come from, if any (watched in `vitest --watch`). */
  readonly folder?: string
}

const optionNames = ['migrationFolder', 'provider', 'import', 'plugins', 'migratorProps'] as const satisfies readonly (keyof KyselyMigrationOptions)[]

function checkNames(caller: string, options: object, known: readonly string[]): void {
  const unknown = unknownOption(options, known)
  if (unknown) {
    throw new KyselyLayerError(
      `sqlite-fixtures: ${caller} has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: ${known.join(', ')}.`,
    )
  }
}

/**
 * A plugin in the cache key: its class and its own settings where they are plain data
 * (`CamelCasePlugin({ upperCase: true })` keeps them in `opt`), so a changed setting rebuilds.
 */
function pluginKey(plugin: KyselyPlugin): string {
  let settings = ''
  try {
    settings = JSON.stringify(plugin) ?? ''
  } catch {
    // A plugin holding a cycle or a bigint: its class name stands for it.
  }
  return `${plugin.constructor.name}${settings}`
}

/** Checks that `options` is an object of known option names (for `kyselyLayer()`, whose options are all optional). */
export function checkLayerOptions(caller: string, options: KyselyMigrationOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new KyselyLayerError(`sqlite-fixtures: ${caller} takes options: { migrationFolder }, { provider }, or none.`)
  }
  checkNames(caller, options, optionNames)
}

/** Checks the options of `kyselyLayer()` or `migrator()` (named by `caller`) and makes their source. */
export function migrationSource(caller: string, options: KyselyMigrationOptions, extraNames: readonly string[] = []): MigrationSource {
  if (typeof options !== 'object' || options === null) {
    throw new KyselyLayerError(`sqlite-fixtures: ${caller} needs options: { migrationFolder } or { provider }.`)
  }
  checkNames(caller, options, [...optionNames, ...extraNames])
  const { migrationFolder, provider, plugins = [], migratorProps = {} } = options
  if ((migrationFolder === undefined) === (provider === undefined)) {
    throw new KyselyLayerError(
      `sqlite-fixtures: ${caller} needs one of migrationFolder (the folder of your Kysely migration files) or ` +
        `provider (any Kysely MigrationProvider), ${migrationFolder === undefined ? 'got neither' : 'not both'}.`,
    )
  }
  if (provider !== undefined && typeof provider?.getMigrations !== 'function') {
    throw new KyselyLayerError(`sqlite-fixtures: ${caller}'s provider must be a Kysely MigrationProvider (an object with getMigrations()).`)
  }
  if (options.import !== undefined && typeof options.import !== 'function') {
    throw new KyselyLayerError(`sqlite-fixtures: ${caller}'s import must be a function (file) => Promise<module>.`)
  }
  // What the migrations run with, besides themselves: renaming plugins change their DDL.
  const settings = `plugins ${plugins.map(pluginKey).join(',')}\nmigrator ${JSON.stringify(migratorProps)}`

  if (provider !== undefined) {
    return {
      label: 'provider',
      provider,
      fileOf: () => undefined,
      // The source text stands for each migration; data they read from elsewhere belongs in `cacheKey`.
      fingerprint: async () => {
        const migrations = await provider.getMigrations()
        return [settings, ...Object.keys(migrations).sort().map((name) => {
          const { up, down } = migrations[name] as { up: unknown; down?: unknown }
          return `${name}\n${String(up)}\n${String(down)}`
        })].join('\n')
      },
    }
  }
  const folder = resolveFolder(migrationFolder as string | URL)
  const load: ModuleImport = options.import ?? importProjectModule
  return {
    label: `folder ${folder}`,
    folder,
    provider: folderProvider(folder, load),
    fileOf: (name) => migrationFiles(folder).find((file) => file.name === name)?.file,
    // Names and contents, read without loading a module: a cached template costs no transform.
    fingerprint: async () =>
      [settings, ...migrationFiles(folder).map(({ file }) => `${path.basename(file)}\n${fs.readFileSync(file, 'utf8')}`)].join('\n'),
  }
}
