// Compiled (not run) by compat/run.mjs where drizzle-orm 1.x is installed: ctx.drizzle is typed
// with the relations a project registers, and context mode types it from the layer.
import { defineRelations } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { drizzleLayer } from 'sqlite-fixtures/drizzle'
import { currentLayer, fixture, test as contextTest } from 'sqlite-fixtures/vitest'
import { test } from 'vitest'

const users = sqliteTable('users', { id: integer('id').primaryKey(), name: text('name').notNull() })
const relations = defineRelations({ users })

declare global {
  namespace SqliteFixtures {
    interface Register {
      drizzleRelations: typeof relations
    }
  }
}

test('ctx.drizzle is typed with the registered relations', ({ drizzle }) => {
  const rows: { id: number; name: string }[] = drizzle.select().from(users).all()
  const first: { id: number; name: string } | undefined = drizzle.query.users.findFirst().sync()
  // @ts-expect-error: no table of the relations is called "orders".
  void drizzle.query.orders
  return [rows, first]
})

const layer = drizzleLayer({ migrationsFolder: 'drizzle', relations })
contextTest.extend({ drizzle: fixture(layer) })('context mode types it from the layer', ({ drizzle }) => {
  const names: string[] = drizzle.query.users.findMany().sync().map((user) => user.name)
  return names
})

void currentLayer('drizzle').then((drizzle) => drizzle.query.users.findMany().sync())
