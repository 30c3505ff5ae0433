// Compiled (not run) by compat/run.mjs with each entry's versions: the public types must
// reach Vitest's test context however that Vitest version declares it.
import { currentBroker, currentDb, test as contextTest } from 'sqlite-fixtures/vitest'
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
