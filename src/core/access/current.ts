import type { Database } from 'better-sqlite3'
import type { Fixtures } from '../base/index.js'
import { currentScope } from '../lifecycle/index.js'

/** The running test's database, made on first use. */
export function currentDb(): Database {
  return currentScope().get('db')
}

/** The running test's value of any layer, awaiting an async setup. */
export function currentLayer<Name extends keyof Fixtures>(name: Name): Promise<Fixtures[Name]> {
  return currentScope().resolve(name)
}
