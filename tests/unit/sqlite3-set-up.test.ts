import { expect, test } from 'vitest'
import { FixtureUnavailableError } from '../../src/core/base/errors.js'
import { finishFile, startTests } from '../../src/core/lifecycle/refusals.js'
import { testSqlite3Database } from '../../src/sqlite3/index.js'

// What testSqlite3Database() keeps, made where no test runs, for every test's connection: the
// set-up of its file's imports, and nothing a timer of an earlier file does while the next
// file loads (Vitest's isolate: false, where one handle serves both). A file of its own: the
// handle is one per module instance, and this file ends its first file's set-up.

/** What a call's callback is given: its error, or `null`. */
const answer = (call: (done: (error: Error | null) => void) => void) => new Promise<Error | null>((resolve) => call(resolve))

const db = testSqlite3Database()

test("once its file's tests started, a call where no test runs is refused; with isolate: false, in the next file's imports too, unless kept already", async () => {
  // The file's imports: an app module's settings, kept.
  expect(await answer((done) => db.run('PRAGMA user_version = 7', done))).toBe(null)
  db.configure('busyTimeout', 10)
  startTests()
  try {
    // A timer the app started at import, once the tests run: a setting is refused, and so is `configure`.
    const refused = await answer((done) => db.run('PRAGMA cache_size = -4000', done))
    expect(refused).toBeInstanceOf(FixtureUnavailableError)
    expect(refused?.message).toMatch(/^sqlite-fixtures: run\("PRAGMA cache_size = -4000"\) through testSqlite3Database\(\) was made outside a test, after its test file's tests \(or, with isolate: false, an earlier file's\) started/)
    // The same option with another value is another call, refused too: it would change every later test's setting.
    expect(() => db.configure('busyTimeout', 99)).toThrow(FixtureUnavailableError)
  } finally {
    await finishFile(undefined)
  }
  // The next file's imports, the same handle: that timer firing now is refused still; the
  // setup file's own setting, made again for this file, is kept already.
  expect(await answer((done) => db.run('PRAGMA cache_size = -4000', done))).toBeInstanceOf(FixtureUnavailableError)
  expect(await answer((done) => db.run('PRAGMA user_version = 7', done))).toBe(null)
  expect(() => db.configure('busyTimeout', 10)).not.toThrow()
  expect(() => db.configure('busyTimeout', 99)).toThrow(FixtureUnavailableError)
})
