import { fileURLToPath } from 'node:url'
import { requirePackage } from '../core/base/index.js'
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
