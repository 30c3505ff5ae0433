import { FixtureUnavailableError } from '../core/base/index.js'
import type { TestScope } from '../core/lifecycle/index.js'
import type { TestSqlite3Connection } from './connection.js'
import { Sqlite3FixtureError } from './errors.js'

/** A call that configures a connection, made on the handle outside any test. */
interface KeptCall {
  /** How errors name it: `run("create table ...")`. */
  readonly call: string
  /** The call itself, its values included: made again (a setup file run again per file), it is kept already. */
  readonly key: string
  readonly method: 'run' | 'exec' | 'configure' | 'loadExtension' | 'serialize' | 'parallelize'
  readonly args: readonly unknown[]
}

/** How messages name a call: `run("create table ...")`. */
export function shownCall(method: string, args: readonly unknown[]): string {
  const [first] = args
  return typeof first === 'string' ? `${method}(${JSON.stringify(first.slice(0, 60))})` : `${method}()`
}

/**
 * The refusal of a write made where no test runs, at any time: kept, it would reach every
 * later test's database, and made before the file's tests start it cannot be told from a job
 * an app module started at import.
 */
export function unownedWrite(call: string): FixtureUnavailableError {
  return new FixtureUnavailableError(
    `sqlite-fixtures: ${call} through testSqlite3Database() was made outside a test: writes no test owns are refused ` +
      '(a job or timer your app started at import, or its start-up seeding), whenever they come: nothing ran. Only ' +
      "a connection's settings made where no test runs (a PRAGMA, a CREATE, configure(), loadExtension()) are kept " +
      "for every test's connection. Rows every test starts with belong in the template (the plugin's seed or " +
      'migrations); make other writes in a test or a hook, or keep the job from running in tests.',
  )
}

/**
 * The refusal of a call made where no test runs once the file's tests have started: not the
 * app's set-up at import, but work no test owns (a timer or job an app module started), which
 * kept would reach every later test's database.
 */
export function unownedCall(call: string): FixtureUnavailableError {
  return new FixtureUnavailableError(
    `sqlite-fixtures: ${call} through testSqlite3Database() was made outside a test, after its test file's tests ` +
      '(or, with isolate: false, an earlier file\'s) started: work no test owns, such as a timer or a job your app ' +
      'started at import. It was refused: nothing ran. ' +
      "Only calls made before the file's first test (an app module's settings at import) are kept for every test's " +
      'connection. Make it in a test or a hook, which own the work they start, or keep the job from running in tests. ' +
      "(In Jest, a beforeAll or afterAll runs for no test: set up a block's data with deriveTemplate().)",
  )
}

/** A call, by its method and values (its callback left out): the same call made again has the same key. */
function keyOf(method: string, args: readonly unknown[]): string {
  const values = args.filter((arg) => typeof arg !== 'function')
  return `${method} ${JSON.stringify(values, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))}`
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Calls that set a connection up, made on `testSqlite3Database()` where no test runs before the
 * file's tests start (an app module at import: `serialize()`, `run('PRAGMA ...')`,
 * `configure('busyTimeout', ...)`), kept and made again, in order, on each test's connection as
 * it opens, before the test's own calls. A kept call that fails there fails that test when it
 * ends, naming the call.
 */
export class KeptCalls {
  readonly #calls: KeptCall[] = []

  /** Whether the same call (by what it sets) is kept already. */
  has(method: string, args: readonly unknown[]): boolean {
    const key = keyOf(method, args)
    return this.#calls.some((kept) => kept.key === key)
  }

  keep(method: KeptCall['method'], args: readonly unknown[]): void {
    const call: KeptCall = {
      call: shownCall(method, args),
      key: keyOf(method, args),
      method,
      args: args.filter((arg) => typeof arg !== 'function'),
    }
    // In the order made, repeats included (foreign keys off, a CREATE, on again); the same call
    // made again at once (a timer's, firing while the imports load) sets nothing more.
    if (this.#calls.at(-1)?.key !== call.key) this.#calls.push(call)
  }

  /** Makes the kept calls on a new connection of `scope`'s test. */
  makeOn(connection: TestSqlite3Connection, scope: TestScope): void {
    for (const kept of this.#calls) {
      // Its callback was answered when it was made: the test fails with it when it ends.
      connection.setUp(kept.method, kept.args, (error) =>
        connection.failAtTeardown(
          new Sqlite3FixtureError(
            `sqlite-fixtures: ${kept.call}, called on testSqlite3Database() outside a test, failed on the database of ` +
              `test "${scope.test.name}": ${message(error)}`,
            { cause: error },
          ),
        ),
      )
    }
  }
}
