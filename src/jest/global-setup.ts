// The entry for Jest's `globalSetup` module: it runs in Jest's main process, outside any
// test environment, so it must not load the hooks (which import '@jest/globals').
import { collectNotices, realmState, resolveOptions, type SqliteFixturesOptions } from '../core/base/index.js'
import { releaseDriver } from '../core/driver/index.js'
import { makeRunTempDir, removeRunTempDir, type RunTempDir } from '../core/lifecycle/index.js'
import { startupFailure } from '../core/template/index.js'
import { prebuildTemplate } from '../core/template/prebuild.js'
import { ormMigrationSteps } from '../orm-migrations.js'
import { handOver, type JestProject } from './handoff.js'
import { jestModuleGraph } from './module-graph.js'
import { jestImport } from './module-import.js'

/** The fields of Jest's project config (the global setup's second argument) that tell projects apart. */
interface JestProjectConfig {
  readonly id?: string
  readonly rootDir?: string
  readonly roots?: readonly string[]
  readonly displayName?: string | { readonly name?: string }
}

function projectOf(config: JestProjectConfig | undefined): JestProject | undefined {
  if (config?.id === undefined) return undefined
  const roots = config.roots?.length ? config.roots : config.rootDir === undefined ? [] : [config.rootDir]
  const name = typeof config.displayName === 'string' ? config.displayName : config.displayName?.name
  return { id: config.id, name, roots }
}

/**
 * Builds the whole template once (schema, ORM migrations, seed), in Jest's main process,
 * before any worker starts, so that no test file migrates, hashes or reads the cache on its
 * own: export it from the module named by Jest's `globalSetup`. The workers get these
 * options too (all but a seed function, which they need not repeat), under the setup file's.
 *
 * ```js
 * // jest.global-setup.cjs
 * const { globalSetup } = require('sqlite-fixtures/jest/global-setup')
 * const { drizzleMigrations } = require('sqlite-fixtures/drizzle')
 * module.exports = globalSetup({ rootDir: __dirname, migrations: [drizzleMigrations({ folder: 'drizzle' })] })
 * ```
 */
export function globalSetup(options: SqliteFixturesOptions = {}): (globalConfig?: unknown, projectConfig?: JestProjectConfig) => Promise<void> {
  return async (_globalConfig, projectConfig) => {
    const resolved = resolveOptions(options)
    sayNoticesAtExit(resolved.cacheDir)
    // Project modules (a seed module, TypeScript migrations) load with `require`, which Jest's
    // transform compiles while it runs a global setup.
    const template = await prebuildTemplate(resolved, { stepsOf: ormMigrationSteps, importModule: jestImport, modules: jestModuleGraph })
    // A template that cannot be built fails the run once, here: Jest reports it and runs no test.
    if ('error' in template) throw startupFailure(template.error)
    // Jest may run the tests in this very process (in band): their realm must own SQLite's error class.
    releaseDriver()
    const { layers: _layers, seed, ...plain } = options
    const runTempDir = runTempDirIn(resolved.tempDir)
    // Keyed by the project: in a config of several `projects`, each worker takes its own project's.
    handOver({ project: projectOf(projectConfig), options: { ...plain, rootDir: resolved.rootDir, ...(typeof seed === 'function' ? {} : { seed }) }, template, runTempDir })
  }
}

/** The run's private temp dirs, by base, made in this process: one per base however many projects or watch-mode runs. */
const runTempDirs = () => realmState('jest-run-temp-dirs', () => new Map<string | undefined, RunTempDir | undefined>())

/** Made once here, so that no worker loads `tmp` for it; removed, if empty, when Jest exits (it gives a global setup no hook at the end). */
function runTempDirIn(tempDir: string | undefined): RunTempDir | undefined {
  const made = runTempDirs()
  // A run of watch mode, or another project's global setup: the same dir. (What the earlier
  // runs of a watch session kept stays until it ends: Jest tells a global setup nothing of
  // a run still going.)
  if (made.has(tempDir)) return made.get(tempDir)
  if (made.size === 0) process.once('exit', () => made.forEach(removeRunTempDir))
  made.set(tempDir, makeRunTempDir(tempDir))
  return made.get(tempDir)
}

/**
 * Says the deprecation notices the workers noted (a setup file on `useSqliteFixtures`,
 * migrations a layer applies in every file) once, when Jest's main process exits: Jest gives
 * a global setup no hook at the end of the run.
 */
function sayNoticesAtExit(cacheDir: string): void {
  let collector: ReturnType<typeof collectNotices>
  try {
    collector = collectNotices(cacheDir)
  } catch {
    return // an unwritable cache dir: the workers say their notices themselves
  }
  process.once('exit', () => {
    for (const text of collector.take()) process.stderr.write(`\n${text}\n`)
    collector.close()
  })
}
