import type { Database } from 'better-sqlite3'
import type { Clone } from './clone.js'
import { bindEnv } from './env.js'
import { defineLayer, type Layer, type LayerTestInfo } from './layer.js'
import { verbose, verboseEnabled } from './log.js'
import type { ResolvedOptions } from './options.js'

/**
 * The built-in `db` layer: a fresh clone of the template per test. In file mode it also
 * points the `env` var at the clone for the test's duration; with `keep: 'failed'` a failed
 * test's database is kept on disk and its path printed, for `sqlite3 <path>`.
 */
export function dbLayer(
  clone: (test: LayerTestInfo) => Clone,
  options: Pick<ResolvedOptions, 'env' | 'keep'>,
): Layer<'db', Database, never> {
  const open = new WeakMap<Database, { clone: Clone; unbind: () => void }>()
  return defineLayer({
    name: 'db',
    setup: (_deps, test) => {
      const made = clone(test)
      let unbind = () => {}
      try {
        if (options.env !== false && made.file !== undefined) unbind = bindEnv(options.env, made.file, test.name)
      } catch (error) {
        made.dispose()
        throw error
      }
      open.set(made.db, { clone: made, unbind })
      // Per test: the message is built only when someone reads it.
      if (verboseEnabled) verbose(`database for "${test.name}": ${made.file ?? 'in memory'}`)
      return made.db
    },
    teardown: (db, test) => {
      const entry = open.get(db)
      if (!entry) return
      open.delete(db)
      try {
        entry.unbind()
      } finally {
        if (options.keep === 'failed' && test.failed) {
          const file = entry.clone.keep()
          console.error(`sqlite-fixtures: kept the database of failed test "${test.name}": ${file}\n  open it with: sqlite3 ${file}`)
        } else {
          entry.clone.dispose()
        }
      }
    },
  })
}
