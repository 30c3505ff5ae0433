import { requirePackage } from '../core/base/index.js'

/** node-sqlite3's module (`sqlite3`): its `Database` and `Statement` classes and constants. */
export type Sqlite3Module = typeof import('sqlite3')

/**
 * `sqlite3`, loaded on first use rather than imported: a native addon (~10 ms to load) that a
 * test file which never opens a database should not pay for. In the ESM build it is the very
 * module the app's own `import` loads.
 */
export const sqlite3Module = (): Sqlite3Module => requirePackage<Sqlite3Module>('sqlite3')
