import type { Knex } from 'knex'
import { defineLayer, type Layer, unknownOption } from '../core/base/index.js'
import { requestFileClones } from '../core/lifecycle/index.js'
import { KnexLayerError } from './errors.js'
import { makeKnex } from './orm.js'
import { testKnex } from './test-knex.js'
import type { KnexSqliteClient } from './types.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /** A Knex on the test's own database (the client `knexLayer()` was given). */
      knex: Knex
    }
  }
}

/** What `knexLayer()` takes. */
export interface KnexLayerOptions {
  /**
   * The SQLite client of your app's Knex, so `ctx.knex` runs as it does: `'better-sqlite3'`
   * (the default: each test's `ctx.db` itself) or `'sqlite3'` (a node-sqlite3 connection on
   * each test's database file).
   */
  client?: KnexSqliteClient
  /**
   * Anything else your app gives `knex()` that shapes its queries and answers
   * (`postProcessResponse`, `wrapIdentifier`, `useNullAsDefault`...). Default: `useNullAsDefault: true`.
   */
  config?: Omit<Knex.Config, 'client' | 'connection' | 'pool' | 'migrations' | 'seeds'>
}

const clients: readonly string[] = ['better-sqlite3', 'sqlite3']

function checkOptions(options: KnexLayerOptions): Required<Pick<KnexLayerOptions, 'client'>> & KnexLayerOptions {
  if (typeof options !== 'object' || options === null) throw new KnexLayerError(`sqlite-fixtures: knexLayer() takes options, got ${String(options)}.`)
  const unknown = unknownOption(options, ['client', 'config'])
  if (unknown) {
    const hint = unknown.name === 'migrations' || unknown.name === 'directory'
      ? ' Give migrations to the plugin instead: migrations: [knexMigrations({ directory })].'
      : ` Did you mean "${unknown.guess}"?`
    throw new KnexLayerError(`sqlite-fixtures: knexLayer() has no option "${unknown.name}".${hint} Known options: client, config.`)
  }
  const { client = 'better-sqlite3', config } = options
  if (!clients.includes(client)) {
    throw new KnexLayerError(`sqlite-fixtures: knexLayer({ client }) must be 'better-sqlite3' or 'sqlite3', got ${JSON.stringify(client)}.`)
  }
  if (config !== undefined && (typeof config !== 'object' || config === null)) {
    throw new KnexLayerError('sqlite-fixtures: knexLayer({ config }) must be an object of knex() settings.')
  }
  const taken = config && ['client', 'connection', 'pool'].find((key) => key in config)
  if (taken) throw new KnexLayerError(`sqlite-fixtures: knexLayer({ config }) cannot set "${taken}": the layer gives each test its own connection.`)
  return { client, config }
}

/**
 * The Knex layer: `ctx.knex` (Jest: `currentLayer('knex')`), one Knex on the running test's
 * own database, made on first use (Knex itself is loaded then). Your app's own Knex reaches
 * the test's database through `testKnex()` in the setup file's module mock of your db module;
 * your migrations and seeds go in the plugin's options (`knexMigrations()`, `knexSeeds()`).
 */
export function knexLayer(options: KnexLayerOptions = {}): Layer<'knex', Knex, 'db'> {
  const { client, config } = checkOptions(options)
  let knex: Knex | undefined
  // node-sqlite3 opens files: asked for now, in the setup file, before any test makes a database.
  if (client === 'sqlite3') requestFileClones()
  return defineLayer({
    name: 'knex',
    dependsOn: ['db'],
    setup: () => (knex ??= testKnex(makeKnex({ useNullAsDefault: true, ...config, client }))),
  })
}
