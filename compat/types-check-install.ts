// Compiled with skipLibCheck off by compat/package-managers.mjs, in the demo project installed
// with nothing but what the docs say, by each package manager: the handles are better-sqlite3's
// types, reached through the package's own dependency on them, never `any`.
import { currentDb, testDatabase } from 'sqlite-fixtures/vitest'
import { expectTypeOf, test } from 'vitest'

test('ctx.db, currentDb() and testDatabase() are typed', ({ db }) => {
  for (const handle of [db, currentDb(), testDatabase()]) {
    expectTypeOf(handle).not.toBeAny()
    expectTypeOf(handle.prepare('select 1').pluck().get).toBeFunction()
    // @ts-expect-error: better-sqlite3's Database has no such method (on `any`, this compiles).
    handle.noSuchMethod()
  }
})
