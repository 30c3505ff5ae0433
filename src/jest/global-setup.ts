// The entry for Jest's `globalSetup` module: it runs in Jest's main process, outside any
// test environment, so it must not load the hooks (which import '@jest/globals').
import { collectNotices, resolveOptions, type SqliteFixturesOptions } from '../core/base/index.js'
import { releaseDriver } from '../core/driver/index.js'
import { prebuildTemplate } from '../core/template/prebuild.js'
import { ormMigrationSteps } from '../orm-migrations.js'
import { handoffVariable, type JestHandoff } from './handoff.js'
import { jestImport } from './module-import.js'

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
export function globalSetup(options: SqliteFixturesOptions = {}): () => Promise<void> {
  return async () => {
    const resolved = resolveOptions(options)
    sayNoticesAtExit(resolved.cacheDir)
    // Project modules (a seed module, TypeScript migrations) load with `require`, which Jest's
    // transform compiles while it runs a global setup.
    const template = await prebuildTemplate(resolved, { stepsOf: ormMigrationSteps, importModule: jestImport })
    // Jest may run the tests in this very process (in band): their realm must own SQLite's error class.
    releaseDriver()
    const { layers: _layers, seed, ...plain } = options
    const handoff: JestHandoff = { options: { ...plain, rootDir: resolved.rootDir, ...(typeof seed === 'function' ? {} : { seed }) }, template }
    process.env[handoffVariable] = JSON.stringify(handoff)
  }
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
