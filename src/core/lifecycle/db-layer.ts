import type { Database } from 'better-sqlite3'
import type { Clone } from './clone.js'
import { bindEnv } from './env.js'
import { closingDatabase } from './file-clones.js'
import { addToFailureReport, type IntegrityBaseline, IntegrityCheck, integrityError, keptSection, statementLogOf, statementsSection } from '../diagnostics/index.js'
import { defineLayer, LateWorkError, type Layer, type LayerTestInfo, type ResolvedOptions, verbose, verboseEnabled } from '../base/index.js'
import { ownedBy } from './guard.js'
import { isPluginWork, ownerHere, refuse } from './owner.js'
import { setUpNewDatabase } from './new-database.js'

/** The calls that start work on a connection: on a closed test database, late work reaches for one of them first. */
const workMethods = ['prepare', 'exec', 'pragma', 'transaction', 'backup', 'serialize'] as const

/**
 * Makes a test's closed database refuse by name what better-sqlite3 would refuse as "not
 * open": work its test left running that kept `ctx.db` is reported as late work of that test,
 * even if the app swallows the error. The connection stays better-sqlite3's own object.
 */
function refuseWhenClosed(db: Database, test: LayerTestInfo, guard: () => void): void {
  for (const name of workMethods) {
    const closed = db[name] as (...args: unknown[]) => unknown
    Object.defineProperty(db, name, {
      configurable: true,
      writable: true,
      value(this: Database, ...args: unknown[]) {
        // Work no test runs for (an app's own loop that kept the connection) is late too: its test has ended.
        if (!isPluginWork() && ownerHere() === undefined) throw refuse(closedTo(test))
        guard()
        return closed.apply(this, args)
      },
    })
  }
}

function closedTo(test: LayerTestInfo): LateWorkError {
  return new LateWorkError(
    `sqlite-fixtures: the database of test "${test.name}" was used after that test ended, by code that no test runs ` +
      'for (a timer or an interval started at import time, a queue flushed by a loop of its own) holding the ' +
      "connection the test handed over. It was refused: nothing was written. Reach the running test's database " +
      "through currentDb() or testDatabase() from the test's own code.",
  )
}

/** A test's clone while it is open, with what its teardown needs. */
interface OpenClone {
  readonly clone: Clone
  readonly unbind: () => void
  readonly baseline: IntegrityBaseline | undefined
  /** Who may run statements on it: the test's own work. */
  readonly guard: () => void
}

/**
 * The built-in `db` layer: a fresh clone of the template per test. In file mode it also
 * points the `env` var at the clone for the test's duration. After a passed test it checks
 * the database's integrity; a failed test's report gets its last statements and, with
 * `keep: 'failed'`, the path its database was kept at, for `sqlite3 <path>`.
 */
export function dbLayer(
  clone: (test: LayerTestInfo) => Clone,
  options: Pick<ResolvedOptions, 'env' | 'keep' | 'integrity' | 'mode'>,
): Layer<'db', Database, never> {
  const open = new WeakMap<Database, OpenClone>()
  const integrity = options.integrity === false ? undefined : new IntegrityCheck(options.integrity)

  /**
   * After a passed test, checks its database; a failed (or now failing) test's report gets
   * its last statements and where its database was kept. Then the clone is kept or disposed.
   */
  function release(db: Database, entry: OpenClone, test: LayerTestInfo): void {
    let findings
    try {
      findings = test.failed || !entry.baseline ? undefined : integrity?.run(db, entry.baseline)
    } catch (error) {
      entry.clone.dispose()
      throw error
    }
    const failed = test.failed || findings !== undefined
    const report = failed ? statementsSection(db) : []
    if (options.keep === 'failed' && failed) report.push(keptSection(entry.clone.keep()))
    else entry.clone.dispose()
    if (findings) throw integrityError(test.name, findings, report)
    addToFailureReport(test, report)
  }
  return defineLayer({
    name: 'db',
    setup: (_deps, test) => {
      const made = clone(test)
      let unbind = () => {}
      let baseline: IntegrityBaseline | undefined
      // The plugin's own set-up, unrecorded and unguarded: on a kept connection (isolation
      // 'savepoint') the log still holds the last test's guard until this test starts.
      const log = statementLogOf(made.db)
      try {
        if (options.env !== false && options.mode === 'file' && made.file !== undefined) unbind = bindEnv(options.env, made.file, test.name)
        const setUp = () => {
          // A database only libSQL can read is neither checked nor set up through better-sqlite3.
          if (made.refusal !== undefined) return
          baseline = integrity?.baseline(made.db, made.file)
          // What was registered for every new database (the handle's set-up calls, made at
          // import) holds for ctx.db and the other layers too, not only once the handle is used.
          setUpNewDatabase(made.db, test.name)
        }
        if (log) log.paused(setUp)
        else setUp()
      } catch (error) {
        unbind()
        made.dispose()
        throw error
      }
      made.begin?.()
      const guard = ownedBy(test, made.kept === true)
      log?.startTest(guard)
      open.set(made.db, { clone: made, unbind, baseline, guard })
      // Per test: the message is built only when someone reads it.
      if (verboseEnabled) verbose(`database for "${test.name}": ${made.file ?? 'in memory'}`)
      return made.db
    },
    teardown: (db, test) => {
      const entry = open.get(db)
      if (!entry) return
      open.delete(db)
      const finish = () => {
        try {
          entry.unbind()
        } finally {
          try {
            release(db, entry, test)
          } finally {
            if (!db.open) refuseWhenClosed(db, test, entry.guard)
          }
        }
      }
      const closing = closingDatabase(db)
      // Synchronous unless a driver closes its connections asynchronously (node-sqlite3).
      if (!closing) return finish()
      return closing.then(finish, (error: unknown) => {
        finish()
        throw error
      })
    },
  })
}
