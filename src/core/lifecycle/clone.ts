import type Database from 'better-sqlite3'
import { copyDatabaseFile, openDatabase, removeDatabaseFile, snapshot, writeDatabaseFile } from '../driver/index.js'
import { type PragmaValue, SqliteFixturesError, type SqliteMode } from '../base/index.js'
import type { TempDir } from './tempdir.js'

/**
 * What a clone is copied from: the template, or a block's derived template (bytes only,
 * never written to the cache).
 */
export interface CloneSource {
  /** A file holding the bytes, copied as is in file mode. */
  readonly file?: string | undefined
  /** The bytes; a template read from a file reads them on first use. */
  readonly image: Buffer
  /** Why better-sqlite3 cannot read it (a template libSQL built with a feature of its own), if it cannot. */
  readonly libsqlOnly?: string | undefined
}

/** One test's private database: a copy of the template. */
export interface Clone {
  readonly db: Database.Database
  /** The database file in file mode; `undefined` in memory mode. */
  readonly file: string | undefined
  /** Closes the connection and, in file mode, deletes the file and its journals. */
  dispose(): void
  /** Closes the connection but keeps the database as a file (written out in memory mode); returns its path. */
  keep(): string
  /** Called once the plugin's own set-up is done and the test begins to use it (a kept connection starts watching). */
  begin?(): void
  /** Whether the connection outlives its test, kept for the next (isolation 'savepoint'). */
  readonly kept?: boolean
  /** Why `db` refuses every statement (only libSQL can read this database), if it does. */
  readonly refusal?: string | undefined
}

/**
 * Per-connection settings applied to every clone. SQLite leaves foreign keys off unless
 * each connection turns them on; the file-mode journal settings trade crash safety, which a
 * throwaway test database does not need, for writes ~30x faster.
 */
export function defaultPragmas(mode: SqliteMode): Record<string, PragmaValue> {
  return mode === 'file'
    ? { foreign_keys: true, journal_mode: 'MEMORY', synchronous: 'OFF' }
    : { foreign_keys: true }
}

/** Applies pragmas; it must happen before any transaction opens, as `foreign_keys` is a no-op inside one. */
export function applyPragmas(db: Database.Database, pragmas: Readonly<Record<string, PragmaValue>>): void {
  for (const [name, value] of Object.entries(pragmas)) {
    const setting = value === true ? 'ON' : value === false ? 'OFF' : value
    db.pragma(`${name} = ${setting}`)
  }
}

/** better-sqlite3's `verbose` callback: each statement as it runs, parameters inlined. */
export type StatementHook = (statement: unknown) => void

/** A deserialized copy of the template's bytes: no file, no schema work. */
export function memoryClone(source: CloneSource, pragmas: Readonly<Record<string, PragmaValue>>, dir: TempDir, verbose?: StatementHook): Clone {
  // Only given when statements are recorded: better-sqlite3 skips all of it without one.
  const db = openDatabase(source.image, verbose && { verbose })
  try {
    applyPragmas(db, pragmas)
  } catch (error) {
    db.close()
    throw error
  }
  return {
    db,
    file: undefined,
    dispose: () => db.close(),
    keep() {
      const image = snapshot(db)
      const file = dir.create('.sqlite', (path) => writeDatabaseFile(path, image))
      db.close()
      return file
    },
  }
}

/**
 * A copy of the template file (mode 0600, as the template) in the private temp dir, deleted
 * with its journals on dispose. A derived template, which has no file, is written out.
 */
export function fileClone(source: CloneSource, pragmas: Readonly<Record<string, PragmaValue>>, dir: TempDir, verbose?: StatementHook): Clone {
  const { file: template } = source
  const file = dir.create('.sqlite', (path) => (template === undefined ? writeDatabaseFile(path, source.image) : copyDatabaseFile(template, path)))
  let db: Database.Database
  try {
    db = openDatabase(file, verbose && { verbose })
    applyPragmas(db, pragmas)
  } catch (error) {
    removeDatabaseFile(file)
    throw error
  }
  return {
    db,
    file,
    dispose() {
      if (db.open) db.close()
      removeDatabaseFile(file)
    },
    keep() {
      if (db.open) db.close()
      return file
    },
  }
}

/** What a refusing connection still answers: what says which database it is, and closing it. */
const stillAnswered = new Set<PropertyKey>(['name', 'memory', 'open', 'inTransaction', 'readonly', 'close'])

/**
 * A file clone of a template only libSQL can read (libSQL built it with a feature of its own,
 * a vector index, say): `testLibsqlClient()` opens its file, while `ctx.db` refuses every
 * statement, saying why, instead of failing on SQLite's "malformed database schema".
 */
export function libsqlOnlyClone(clone: Clone, reason: string): Clone {
  const refuse = () => {
    throw new SqliteFixturesError(
      'sqlite-fixtures: this database can only be used through testLibsqlClient(): libSQL built the template with a ' +
        `feature of its own that better-sqlite3's SQLite cannot read (${reason}). Reach it through testLibsqlClient() ` +
        "(or your app's client mocked onto it), not ctx.db or currentDb().",
      'SQLITE_FIXTURES_LIBSQL_ONLY',
    )
  }
  const db = new Proxy(clone.db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      return stillAnswered.has(property) ? value.bind(target) : refuse
    },
  })
  return { ...clone, db, refusal: reason }
}
