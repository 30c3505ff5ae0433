// Compiled (not run) by compat/run.mjs where knex, sequelize and sqlite3 are installed: the
// entries for Knex, Sequelize and node-sqlite3 are typed against this entry's packages.
// Named, not default: knex 2.x declares `export default` in CommonJS typings, which an ES
// module sees as the namespace. Sequelize's own types are not imported: sequelize 6.20's
// package.json gives an ES module none (TS7016), so only the plugin's are checked here.
import { knex, type Knex } from 'knex'
import type { Database, RunResult } from 'sqlite3'
import { knexLayer, knexMigrations, knexSeeds, migrator as knexMigrator, testKnex } from 'sqlite-fixtures/knex'
import { migrator as sequelizeMigrator, sequelizeLayer, sequelizeMigrations, testSequelize } from 'sqlite-fixtures/sequelize'
import { testSqlite3Database } from 'sqlite-fixtures/sqlite3'
import type {} from 'sqlite-fixtures/vitest'
import { test } from 'vitest'

const db: Database = testSqlite3Database()
db.run('insert into notes (text) values (?)', 'a', function (this: RunResult, error: Error | null) {
  if (!error) void this.lastID
})

const app: Knex = testKnex(knex({ client: 'better-sqlite3', connection: { filename: 'app.db' }, useNullAsDefault: true }))
void app('notes').insert({ text: 'a' })
// @ts-expect-error: only Knex's SQLite clients.
knexLayer({ client: 'pg' })

declare const appSequelize: Parameters<typeof testSequelize>[0]
const sequelize = testSequelize(appSequelize)

export const layers = [knexLayer({ client: 'sqlite3' }), sequelizeLayer({ sequelize, sync: true })]
export const sets = [knexMigrations({ directory: 'migrations' }), knexSeeds({ directory: 'seeds', client: 'sqlite3' }), sequelizeMigrations({ folder: 'migrations' })]

test('ctx.knex and ctx.sequelize are typed', async ({ knex: layerKnex, sequelize: layerSequelize }) => {
  const rows: { text: string }[] = await layerKnex('notes').select('text')
  void rows
  await layerSequelize.authenticate()
  const m = await knexMigrator({ directory: 'migrations' })
  await m.upToLatest()
  await sequelizeMigrator({ folder: 'migrations' }).upToLatest()
})
