import type { Database } from 'better-sqlite3'
import type { Clone } from './clone.js'
import { bindEnv } from './env.js'
import { closingDatabase } from './file-clones.js'
import { addToFailureReport, type IntegrityBaseline, IntegrityCheck, integrityError, keptSection, statementLogOf, statementsSection } from '../diagnostics/index.js'
import { defineLayer, type Layer, type LayerTestInfo, type ResolvedOptions, verbose, verboseEnabled } from '../base/index.js'
import { ownedBy } from './guard.js'
import { setUpNewDatabase } from './new-database.js'

/** A test's clone while it is open, with what its teardown needs. */
interface OpenClone {
  readonly clone: Clone
  readonly unbind: () => void
  readonly baseline: IntegrityBaseline | undefined
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
      try {
        if (options.env !== false && options.mode === 'file' && made.file !== undefined) unbind = bindEnv(options.env, made.file, test.name)
        // A database only libSQL can read is neither checked nor set up through better-sqlite3.
        baseline = made.refusal === undefined ? integrity?.baseline(made.db, made.file) : undefined
        // What was registered for every new database (the handle's set-up calls, made at
        // import) holds for ctx.db and the other layers too, not only once the handle is used.
        if (made.refusal === undefined) setUpNewDatabase(made.db, test.name)
      } catch (error) {
        unbind()
        made.dispose()
        throw error
      }
      made.begin?.()
      statementLogOf(made.db)?.startTest(ownedBy(test))
      open.set(made.db, { clone: made, unbind, baseline })
      // Per test: the message is built only when someone reads it.
      if (verboseEnabled) verbose(`database for "${test.name}": ${made.file ?? 'in memory'}`)
      return made.db
    },
    teardown: (db, test) => {
      const entry = open.get(db)
      if (!entry) return
      open.delete(db)
      try {
        closingDatabase(db)
        entry.unbind()
      } finally {
        release(db, entry, test)
      }
    },
  })
}
