import { isPromiseLike, SqliteFixturesError } from '../base/index.js'
import { acknowledge } from '../lifecycle/index.js'

/** Whether `error` is one of the plugin's: by its code too, as an ESM and a CommonJS copy of the package can both be loaded. */
function isPluginError(error: unknown): error is SqliteFixturesError {
  const code = (error as Partial<SqliteFixturesError> | null)?.code
  return error instanceof SqliteFixturesError || (error instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_FIXTURES'))
}

function expected(error: unknown): SqliteFixturesError {
  if (!isPluginError(error)) throw error
  acknowledge(error)
  return error
}

function notRefused(): never {
  throw new Error('sqlite-fixtures: expectRefusal(): the plugin refused nothing: the call returned.')
}

/**
 * Runs `fn`, expecting the plugin to refuse it (a `no-db` test reaching for a database, a
 * statement of another test, work after its test ended), and returns the refusal for your
 * assertions. A refusal caught any other way (`rejects.toThrow()`, a try/catch) still fails the
 * test, so a test cannot pass on the plugin's own error by accident: this is how a test says
 * it means to. Any other error, or none, fails.
 *
 * ```ts
 * test('pure', { tags: ['no-db'] }, () => {
 *   expect(expectRefusal(() => currentDb()).message).toMatch(/has no database/)
 * })
 * ```
 */
export function expectRefusal(fn: () => PromiseLike<unknown>): Promise<SqliteFixturesError>
export function expectRefusal(fn: () => unknown): SqliteFixturesError
export function expectRefusal(fn: () => unknown): SqliteFixturesError | Promise<SqliteFixturesError> {
  let result: unknown
  try {
    result = fn()
  } catch (error) {
    return expected(error)
  }
  if (!isPromiseLike(result)) return notRefused()
  return Promise.resolve(result).then(notRefused, expected)
}
