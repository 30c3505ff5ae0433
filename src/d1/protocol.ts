// What the setup file inside the Workers runtime and the plugin in Vitest's main process
// say to each other, through a function service binding the plugin adds to the pool's
// Miniflare options. Plain data only: this module is loaded on both sides.

/** The service binding's name in the test worker's env. */
export const serviceBinding = '__SQLITE_FIXTURES_D1'

/** The table the setup file writes a token into, so the main process can find D1's file. */
export const probeTable = '_sqlite_fixtures_probe'

/** How a test gets its fresh database. */
export type FreshWay =
  /** D1's SQLite file is replaced by a copy of the template while its Durable Object is closed. */
  | { readonly way: 'swap' }
  /** One batch through the binding: drop every table, then the template's schema and rows. */
  | { readonly way: 'restore'; readonly reason: string; readonly statements: readonly string[] }

/** `POST /start`: the D1 bindings the plugin has templates for. */
export interface StartAnswer {
  readonly bindings: readonly string[]
}

/** `POST /locate`: where the binding's database is, found by the token written into it. */
export interface LocateRequest {
  readonly binding: string
  readonly token: string
  /** Why the runtime cannot take the file swap, where it cannot. */
  readonly unswappable?: string | undefined
}

/** A database to give fresh: `unreached` where nothing reached it since it was given the same copy. */
interface SwapDatabase extends LocateRequest {
  readonly unreached: boolean
}

/**
 * `POST /swap`: copy each binding's template (or a describe block's copy) over its file, but
 * for an unreached database whose file is as the last swap left it. `closed` says D1's objects
 * were closed first; where they were not and a file must be replaced, nothing is done and the
 * answer asks for them closed.
 */
export interface SwapRequest {
  readonly databases: readonly SwapDatabase[]
  /** The describe block whose copy to start from, if the test is in one whose beforeAll wrote. */
  readonly block?: string | undefined
  readonly closed: boolean
}

/** The answer to `POST /swap`. */
export interface SwapAnswer {
  /** Nothing was replaced: close D1's objects, then ask again. */
  readonly closeFirst?: true
}

/** `POST /freeze`: keep each database as it is now, as a describe block's data after its beforeAll. `POST /drop`: forget that copy. */
export interface BlockRequest {
  readonly databases: readonly LocateRequest[]
  readonly block: string
}

/** The `inject()` key under which the setup file finds the D1 bindings' names, before any test runs. */
export const bindingsKey = 'sqliteFixturesD1Bindings'
