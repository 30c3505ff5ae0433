// Compiled (not run) by compat/run.mjs with each entry's versions: the public types must
// reach Vitest's test context however that Vitest version declares it.
import { currentBroker, currentDb, fixture, test as contextTest } from 'sqlite-fixtures/vitest'
import { kyselyLayer } from 'sqlite-fixtures/kysely'
import { test } from 'vitest'

test('ctx.db and ctx.broker are typed', ({ db, broker }) => {
  db.prepare('select 1').get()
  broker.publish('topic', { any: 'payload' })
})

contextTest('context mode is typed', ({ db, broker }) => {
  db.exec('select 1')
  broker.messages()
})

currentDb().prepare('select 1')
currentBroker().clock.advance(1)

// @ts-expect-error: a field no layer gives stays an error.
test('unknown fields are errors', ({ noSuchLayer }) => noSuchLayer)

// The Kysely layer: ctx.kysely typed from the registered DB (auto mode), and from the
// layer's own DB in context mode, against this entry's kysely types.
interface KyselyDatabase {
  notes: { id: number; text: string }
}
declare global {
  namespace SqliteFixtures {
    interface Register {
      kyselyDatabase: KyselyDatabase
    }
  }
}
const notesLayer = kyselyLayer({ migrationFolder: new URL('./migrations', import.meta.url) })

test('ctx.kysely is typed with the registered DB', async ({ kysely }) => {
  const texts: { text: string }[] = await kysely.selectFrom('notes').select('text').execute()
  // @ts-expect-error: no table of the registered DB is named so.
  kysely.selectFrom('no_such_table')
  return texts
})

contextTest.extend({ notes: fixture(notesLayer) })('context mode types ctx.notes from the layer', async ({ notes }) => {
  await notes.insertInto('notes').values({ id: 1, text: 'x' }).execute()
})
