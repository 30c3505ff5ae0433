import { fileURLToPath } from 'node:url'
import { DriverUnavailableError, requirePackage } from '../core/base/index.js'
import { driverUnavailable } from '../core/driver/index.js'

/** node-sqlite3's module (`sqlite3`): its `Database` and `Statement` classes and constants. */
export type Sqlite3Module = typeof import('sqlite3')

/**
 * Runs `load`, which loads node-sqlite3 (its native addon loads with its module): a package
 * that is not installed or was never built (pnpm, Yarn and bun skip build scripts they were
 * not told to run) fails with the plugin's own error, naming the fix for the package manager
 * in use, as better-sqlite3's does. `installedAt` is a file of the project's installed packages.
 */
export function loadSqlite3(load: () => Sqlite3Module, installedAt: string = fileURLToPath(import.meta.url)): Sqlite3Module {
  try {
    return load()
  } catch (error) {
    throw driverUnavailable(error, installedAt, 'sqlite3') ?? error
  }
}

/**
 * `sqlite3`, loaded on first use rather than imported: a native addon (~10 ms to load) that a
 * test file which never opens a database should not pay for. In the ESM build it is the very
 * module the app's own `import` loads.
 */
export const sqlite3Module = (): Sqlite3Module => loadSqlite3(() => requirePackage<Sqlite3Module>('sqlite3'))

/**
 * Runs `make`, which starts an ORM that loads node-sqlite3 as it starts (Knex's sqlite3 client,
 * Sequelize's sqlite dialect). Where that fails because node-sqlite3 cannot load (never built,
 * as pnpm leaves it; built for another Node; not installed), the ORM's own error gives wrong
 * advice (Knex: "run npm install sqlite3") or none (Sequelize: "Could not locate the bindings
 * file"): the plugin's `DriverUnavailableError` names the fix instead. `load` loads the
 * node-sqlite3 the ORM loads.
 */
export function startingOnSqlite3<T>(make: () => T, load: () => unknown = sqlite3Module): T {
  try {
    return make()
  } catch (error) {
    if (error instanceof Error && error.message.includes('sqlite3')) {
      try {
        load()
      } catch (unavailable) {
        if (unavailable instanceof DriverUnavailableError) throw unavailable
      }
    }
    throw error
  }
}
