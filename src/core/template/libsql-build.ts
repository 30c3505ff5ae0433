import fs from 'node:fs'
import type Database from 'better-sqlite3'
import { type LibsqlConnection, type Template, type TemplateStep } from '../base/index.js'
import { openDatabase, openLibsqlFile, openScratch, removeDatabaseFile, unreadableSchema, writeDatabaseFile } from '../driver/index.js'
import { buildFileName } from './cache.js'
import { isIncomplete, scriptStatements, statementError } from './script.js'

/**
 * Applies a SQL script with libSQL, one statement at a time (libSQL's SQL, such as `ALTER
 * TABLE ... ALTER COLUMN`), so a failure names the file, the line and the statement.
 */
export async function applyScriptWithLibsql(client: LibsqlConnection, sql: string, file: string): Promise<void> {
  const statements = scriptStatements(sql)
  for (let next = statements.next(); !next.done; ) {
    const statement = next.value
    try {
      await client.execute(statement.text)
      next = statements.next(false)
    } catch (error) {
      if (!isIncomplete(error) || statement.last) throw statementError(statement.location(file), error instanceof Error ? error.message : String(error), error)
      next = statements.next(true)
    }
  }
}

/** A template built with libSQL: its bytes, and why better-sqlite3 cannot read it, if it cannot. */
export interface LibsqlBuild {
  readonly image: Buffer
  readonly libsqlOnly: string | undefined
}

/**
 * The connection a build on a file holds: a libSQL client or a better-sqlite3 connection,
 * one at a time, each closed before the other opens, so each sees what the other wrote.
 */
class BuildConnection {
  readonly #file: string
  #client: LibsqlConnection | undefined
  #db: Database.Database | undefined

  constructor(file: string) {
    this.#file = file
  }

  async libsql(): Promise<LibsqlConnection> {
    this.#db?.close()
    this.#db = undefined
    if (!this.#client) {
      this.#client = openLibsqlFile(this.#file)
      // As better-sqlite3's builds: a seed that breaks a foreign key fails here, not in a test.
      await this.#client.execute('PRAGMA foreign_keys = ON')
    }
    return this.#client
  }

  betterSqlite3(): Database.Database {
    this.#client?.close()
    this.#client = undefined
    if (!this.#db) {
      this.#db = openDatabase(this.#file)
      this.#db.pragma('foreign_keys = ON')
    }
    return this.#db
  }

  /** Leaves the file whole, in rollback-journal mode (a WAL-mode template cannot be copied as bytes), and closes. */
  async close(): Promise<void> {
    try {
      if (this.#client) await this.#client.execute('PRAGMA journal_mode = DELETE')
      else this.#db?.pragma('journal_mode = DELETE')
    } finally {
      this.#client?.close()
      this.#db?.close()
    }
  }
}

/**
 * Builds a template with libSQL (option `driver: 'libsql'`), on a file in `workDir` removed
 * after: each step by libSQL where it can be (`applyLibsql`: scripts, Drizzle's migrations,
 * code steps given the app's own client), else by better-sqlite3 on the same file.
 */
export async function buildWithLibsql(steps: readonly TemplateStep[], base: Template | undefined, workDir: string): Promise<LibsqlBuild> {
  // Named as the cache's writes are, so a crashed build's file is swept as theirs are.
  const file = buildFileName(workDir, 'libsql-build')
  if (base) writeDatabaseFile(file, base.image)
  const connection = new BuildConnection(file)
  try {
    try {
      for (const step of steps) {
        if (step.applyLibsql) await step.applyLibsql(await connection.libsql())
        else {
          const db = connection.betterSqlite3()
          // What a better-sqlite3 step's failure is explained on: the file as it was before it.
          const before = fs.readFileSync(file)
          await step.apply(db, () => openScratch(before))
        }
      }
    } finally {
      await connection.close()
    }
    return { image: fs.readFileSync(file), libsqlOnly: unreadableSchema(file) }
  } finally {
    removeDatabaseFile(file)
  }
}
