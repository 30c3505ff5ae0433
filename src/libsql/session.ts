import { pathToFileURL } from 'node:url'
import { createClient, type Client, type IntMode } from '@libsql/client'
import { statementLogOf } from '../core/diagnostics/index.js'
import { openBeside, requestFileClones, type TestScope } from '../core/lifecycle/index.js'
import { LibsqlFixtureError } from './errors.js'

/** One test's libSQL client, on the test's own database file, and where its statements are logged. */
export interface TestSession {
  readonly scope: TestScope
  readonly client: Client
  /** Settles once the connection is set up for a throwaway database (see `openSession`). */
  readonly ready: Promise<unknown>
  /** Records a statement in the test's SQL log (its failure report and query captures). */
  record(statement: string): void
}

/** How libSQL names itself in the errors of a connection beside a test's database. */
const libsql = { name: 'libSQL', call: 'testLibsqlClient()', error: (message: string) => new LibsqlFixtureError(message) }

/** From now on test databases are files, which libSQL opens. */
export function useFileDatabases(): void {
  requestFileClones()
}

/**
 * Opens a real libSQL client on the scope's database file, made on first use. The database is
 * a file (asked for when the handle was made), so the client and `ctx.db` are two connections
 * to one database: each sees what the other wrote. It is closed before the database is.
 */
export function openSession(scope: TestScope, intMode: IntMode | undefined): TestSession {
  const client = openBeside(scope, libsql, (file) => createClient({ url: pathToFileURL(file).href, ...(intMode === undefined ? {} : { intMode }) }), (opened) => opened.close())
  const log = statementLogOf(scope.get('db'))
  // A throwaway database needs no fsync: libSQL's default (synchronous = FULL) makes each
  // commit wait for the disk (~20 ms a writing test on the benchmark). Set on the connection
  // the client keeps; one it opens later (a second at once, or 0.17's after a transaction) has the default.
  // Its failure (the test closed the client at once) leaves the default, and is the next call's to report.
  const ready = client.execute('PRAGMA synchronous = OFF').catch(() => undefined)
  return { scope, client, ready, record: log ? (statement) => log.record(statement) : () => {} }
}

/** Refuses a session whose test has ended: its client is closed, and no other test's database may take its work. */
export function checkOpen(session: TestSession): TestSession {
  const { scope } = session
  if (scope.ended) throw scope.refuse(scope.lateWork())
  return session
}
