import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import { resolveOptions, type ResolvedOptions, unknownOption } from '../core/base/index.js'
import { startupFailure } from '../core/template/index.js'
import { ormMigrationSteps } from '../orm-migrations.js'
import { fixtureTags } from '../vitest/plugin.js'
import { D1FixturesError } from './errors.js'
import { d1Set, defaultMigrationsTable } from './migration-set.js'
import { checkPool } from './pool-version.js'
import { bindingsKey, serviceBinding } from './protocol.js'
import { d1Service, type Templates } from './service.js'

/** The template of one D1 binding. */
export interface D1Template {
  /** The binding's migrations folder (its `migrations_dir` in the wrangler config), relative to the Vitest root. Default `migrations`. */
  migrations?: string
  /** The table wrangler records applied migrations in (`migrations_table`). Default `d1_migrations`. */
  migrationsTable?: string
  /** Data put into the template after the migrations: `.sql` files or folders of them. */
  seed?: string | readonly string[]
}

export interface D1FixturesOptions {
  /** The D1 bindings (`binding` in `d1_databases`) each test gets fresh, each with its template. */
  databases: Readonly<Record<string, D1Template>>
  /** Where built templates are cached. Default `node_modules/.cache/sqlite-fixtures` under the Vitest root. */
  cacheDir?: string
  /**
   * How a test gets its fresh database. `'auto'` (default): D1's SQLite file is replaced by a
   * copy of the template where the runtime keeps it as expected (checked at the start of each
   * test file), else one batch through the binding. `'batch'`: always the batch.
   */
  method?: 'auto' | 'batch'
}

export interface D1FixturesPlugin extends Plugin {
  /**
   * The Workers pool's options with the plugin's service binding added to its Miniflare
   * options: `cloudflareTest(d1.poolOptions({ wrangler: { configPath: './wrangler.jsonc' } }))`.
   */
  poolOptions<Options extends object>(options: Options): Options
  /** The pool's options given as a function of its context (to read values from `inject`). */
  poolOptions<Context, Options extends object>(options: (context: Context) => Options | Promise<Options>): (context: Context) => Promise<Options>
}

function checkOptions(options: D1FixturesOptions): void {
  const given: unknown = options
  if (typeof given !== 'object' || given === null || typeof options.databases !== 'object' || options.databases === null || Object.keys(options.databases).length === 0) {
    throw new D1FixturesError("sqlite-fixtures/d1: d1Fixtures() needs { databases: { DB: { migrations: 'migrations' } } }, one entry per D1 binding.")
  }
  const unknown = unknownOption(given, ['databases', 'cacheDir', 'method'])
  if (unknown) throw new D1FixturesError(`sqlite-fixtures/d1: d1Fixtures() has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: databases, cacheDir, method.`)
  if (options.method !== undefined && options.method !== 'auto' && options.method !== 'batch') {
    throw new D1FixturesError(`sqlite-fixtures/d1: option "method" must be 'auto' or 'batch', not ${JSON.stringify(options.method)}.`)
  }
  for (const [binding, template] of Object.entries(options.databases)) {
    const wrong = unknownOption(template, ['migrations', 'migrationsTable', 'seed'])
    if (wrong) throw new D1FixturesError(`sqlite-fixtures/d1: databases.${binding} has no option "${wrong.name}". Did you mean "${wrong.guess}"? Known options: migrations, migrationsTable, seed.`)
  }
}

function templateOptions(template: D1Template, rootDir: string, cacheDir: string | undefined): ResolvedOptions {
  const folder = path.resolve(rootDir, template.migrations ?? 'migrations')
  return resolveOptions({ rootDir, cacheDir, migrations: [d1Set(folder, template.migrationsTable ?? defaultMigrationsTable)], seed: template.seed })
}

/**
 * Cloudflare D1 in the Workers Vitest pool: each test gets every listed D1 database fresh
 * from its template (the binding's wrangler migrations and a seed, built once per run in
 * Vitest's main process and cached), through the app's own `env.DB`.
 *
 * ```ts
 * const d1 = d1Fixtures({ databases: { DB: { migrations: 'migrations', seed: 'test/seed.sql' } } })
 * export default defineConfig({ plugins: [d1, cloudflareTest(d1.poolOptions({ wrangler: { configPath: './wrangler.jsonc' } }))] })
 * ```
 */
export function d1Fixtures(options: D1FixturesOptions): D1FixturesPlugin {
  checkOptions(options)
  const setupFile = fileURLToPath(import.meta.resolve('sqlite-fixtures/d1/setup'))
  let templates: Templates | undefined
  const service = d1Service(() => {
    if (templates === undefined) throw new Error('sqlite-fixtures/d1: the templates are not built: add d1Fixtures() to the plugins too.')
    return templates
  })
  const addService = <Options extends object>(given: Options): Options => {
    const miniflare = ((given as { miniflare?: object }).miniflare ?? {}) as { serviceBindings?: Record<string, unknown> }
    return { ...given, miniflare: { ...miniflare, serviceBindings: { ...miniflare.serviceBindings, [serviceBinding]: service } } }
  }
  return {
    name: 'sqlite-fixtures/d1',
    config(config) {
      const test = (config.test ??= {})
      const setupFiles = typeof test.setupFiles === 'string' ? [test.setupFiles] : (test.setupFiles ?? [])
      test.setupFiles = [setupFile, ...setupFiles.filter((file) => file !== setupFile)]
      // Not declared in the user's ProvidedContext: the setup file's own.
      const provided = test as { provide?: Record<string, unknown> }
      provided.provide = { ...provided.provide, [bindingsKey]: Object.keys(options.databases) }
      const declared = new Set((test.tags ?? []).map((tag) => tag.name))
      test.tags = [...(test.tags ?? []), ...fixtureTags.filter((tag) => tag.name === 'no-db' && !declared.has(tag.name))]
    },
    async configureVitest({ vitest, project }) {
      const rootDir = project.config.root
      checkPool(rootDir)
      // Loaded here: building a template needs the SQLite driver, which the runtime never loads.
      const { prebuildTemplate } = await import('../core/template/prebuild.js')
      const files = new Map<string, string>()
      for (const [binding, template] of Object.entries(options.databases)) {
        const handoff = await prebuildTemplate(templateOptions(template, rootDir, options.cacheDir && path.resolve(rootDir, options.cacheDir)), {
          stepsOf: ormMigrationSteps,
          importModule: (file) => project.import(file),
        })
        if ('error' in handoff) throw startupFailure(handoff.error)
        files.set(binding, handoff.file)
      }
      templates = { files, batchOnly: options.method === 'batch', say: (line) => vitest.logger.log(line) }
    },
    poolOptions: (<Context, Options extends object>(given: Options | ((context: Context) => Options | Promise<Options>)) => {
      if (typeof given !== 'function') return addService(given)
      return async (context: Context) => addService(await given(context))
    }) as D1FixturesPlugin['poolOptions'],
  }
}
