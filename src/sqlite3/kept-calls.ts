import type { TestScope } from '../core/lifecycle/index.js'
import type { TestSqlite3Connection } from './connection.js'
import { Sqlite3FixtureError } from './errors.js'

/** A call that configures a connection, made on the handle outside any test. */
interface KeptCall {
  /** How errors name it: `run("create table ...")`. */
  readonly call: string
  /** What it sets: made again (a setup file run again per file), it replaces the earlier one. */
  readonly key: string
  readonly method: 'run' | 'exec' | 'configure' | 'loadExtension' | 'serialize' | 'parallelize'
  readonly args: readonly unknown[]
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * Calls made on `testSqlite3Database()` where no test runs (an app module at import: `serialize()`,
 * `run('PRAGMA ...')`, `configure('busyTimeout', ...)`), kept and made again, in order, on each
 * test's connection as it opens, before the test's own calls. A kept call that fails there fails
 * that test when it ends, naming the call.
 */
export class KeptCalls {
  readonly #calls: KeptCall[] = []

  keep(method: KeptCall['method'], args: readonly unknown[]): void {
    const [first] = args
    const shown = typeof first === 'string' ? `${method}(${JSON.stringify(first.slice(0, 60))})` : `${method}()`
    const call: KeptCall = { call: shown, key: `${method} ${String(first)} ${args.length}`, method, args: args.filter((arg) => typeof arg !== 'function') }
    const earlier = this.#calls.findIndex((kept) => kept.key === call.key)
    if (earlier === -1) this.#calls.push(call)
    else this.#calls[earlier] = call
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
