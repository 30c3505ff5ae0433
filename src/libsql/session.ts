import { pathToFileURL } from 'node:url'
import type { Database } from 'better-sqlite3'
import { createClient, type Client, type IntMode } from '@libsql/client'
import { statementLogOf } from '../core/diagnostics/index.js'
import { requestFileClones, type TestScope } from '../core/lifecycle/index.js'
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

/** The libSQL clients open on each test database, closed before the database is. */
const openOn = new WeakMap<Database, Client[]>()

function closeClients(db: Database): void {
  for (const client of openOn.get(db) ?? []) client.close()
  openOn.delete(db)
}

/** From now on test databases are files, which libSQL opens; its clients close before the database does. */
export function useFileDatabases(): void {
  requestFileClones(closeClients)
}

/**
 * Opens a real libSQL client on the scope's database file, made on first use. The database is
 * a file (asked for when the handle was made), so the client and `ctx.db` are two connections
 * to one database: each sees what the other wrote.
 */
export function openSession(scope: TestScope, intMode: IntMode | undefined): TestSession {
  const db = scope.get('db')
  if (db.memory) {
    throw new LibsqlFixtureError(
      `sqlite-fixtures: the database of test "${scope.test.name}" was made in memory before testLibsqlClient() was ` +
        'first called, and libSQL can only open a file. Call testLibsqlClient() in the setup file (or the module ' +
        'mock it holds), before any test makes a database.',
    )
  }
  if (db.inTransaction) {
    throw new LibsqlFixtureError(
      `sqlite-fixtures: the database of test "${scope.test.name}" is inside a transaction (isolation: 'savepoint'), ` +
        'which a libSQL connection cannot share: it would write beside an open transaction of another connection. ' +
        "Use the default isolation ('clone') with testLibsqlClient().",
    )
  }
  const client = createClient({ url: pathToFileURL(db.name).href, ...(intMode === undefined ? {} : { intMode }) })
  const clients = openOn.get(db)
  if (clients) clients.push(client)
  else openOn.set(db, [client])
  const log = statementLogOf(db)
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
