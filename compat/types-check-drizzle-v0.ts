// Compiled (not run) by compat/run.mjs where drizzle-orm 0.x is installed: ctx.drizzle is typed
// with the schema a project registers, and context mode types it from the layer.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { drizzleLayer } from 'sqlite-fixtures/drizzle'
import { currentLayer, fixture, test as contextTest } from 'sqlite-fixtures/vitest'
import { test } from 'vitest'

const users = sqliteTable('users', { id: integer('id').primaryKey(), name: text('name').notNull() })
const schema = { users }

declare global {
  namespace SqliteFixtures {
    interface Register {
      drizzleSchema: typeof schema
    }
  }
}

test('ctx.drizzle is typed with the registered schema', ({ drizzle }) => {
  const rows: { id: number; name: string }[] = drizzle.select().from(users).all()
  const first: { id: number; name: string } | undefined = drizzle.query.users.findFirst().sync()
  // @ts-expect-error: no table of the schema is called "orders".
  void drizzle.query.orders
  return [rows, first]
})

const layer = drizzleLayer({ migrationsFolder: 'drizzle', schema })
contextTest.extend({ drizzle: fixture(layer) })('context mode types it from the layer', ({ drizzle }) => {
  const names: string[] = drizzle.query.users.findMany().sync().map((user) => user.name)
  return names
})

void currentLayer('drizzle').then((drizzle) => drizzle.query.users.findMany().sync())
