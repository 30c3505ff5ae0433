import type { Knex } from 'knex'
import { requirePackage } from '../core/base/index.js'
import { startingOnSqlite3 } from '../sqlite3/module.js'

/** Knex's entry: `knex(config)`, with its error classes on it. */
type KnexModule = typeof import('knex')

/**
 * `knex`, loaded on first use rather than imported: `sqlite-fixtures/knex` in a setup file
 * then costs a test file that never touches a database nothing of Knex. In the ESM build it
 * is the very module the app's own `import` loads.
 */
export function makeKnex(config: Knex.Config): Knex {
  // The CommonJS entry is the function itself; an ES module namespace has it as `knex` and `default`.
  const loaded = requirePackage<KnexModule['knex'] | { knex?: KnexModule['knex']; default?: KnexModule['knex'] }>('knex')
  const make = typeof loaded === 'function' ? loaded : (loaded.knex ?? loaded.default)
  if (!make) throw new TypeError("sqlite-fixtures: 'knex' exports no knex() function.")
  return config.client === 'sqlite3' ? startingOnSqlite3(() => make(config)) : make(config)
}

/** Knex's own timeout error class, if this version exports it. */
export function knexTimeoutError(message: string): Error {
  const loaded = requirePackage<{ KnexTimeoutError?: new (message: string) => Error }>('knex')
  return loaded.KnexTimeoutError ? new loaded.KnexTimeoutError(message) : new Error(message)
}

/** The installed knex's version (for the template's cache key). */
export function knexVersion(): string {
  return requirePackage<{ version: string }>('knex/package.json').version
}

/** Knex's logger, quiet: the plugin reports a failed migration itself, naming it. */
export const quietLog = { warn() {}, error() {}, deprecate() {}, debug() {} }
