import type Database from 'better-sqlite3'

/** One thing applied to the template once: a schema file, a seed, a layer's migrations. */
export interface TemplateStep {
  /** Shown in errors and hashed into the cache key. */
  readonly name: string
  /** Everything else about the step that shapes the template; hashed into the cache key. */
  readonly fingerprint: string
  /**
   * Absolute paths of the files the step reads, or of folders it reads files from (an ORM's
   * migrations folder): in `vitest --watch`, a change to one of them, or to any file inside
   * such a folder (a new migration too), reruns the test files that use the database, with
   * a rebuilt template.
   */
  readonly files?: readonly string[]
  /**
   * Whether the step opens connections of its own, with another driver, on the database's
   * file (`db.name`): an ORM on node-sqlite3, say. The template is then built in a file, and
   * `db` holds no open transaction while the step runs.
   */
  readonly onFile?: boolean
  /**
   * Applies the step. `scratch()` opens a new database holding the steps before this one,
   * for explaining a failure without the partial effects of this step.
   */
  apply(db: Database.Database, scratch: () => Database.Database): void | Promise<void>
  /**
   * Applies the step with libSQL, where the template is built by it (option `driver:
   * 'libsql'`): a script through libSQL's SQL, a migration set by the ORM's libSQL migrator, a
   * code step with the app's own client. A step without it is applied by `apply`, on the same
   * file.
   */
  applyLibsql?(client: LibsqlConnection): Promise<void>
}

/** A libSQL client (`@libsql/client`'s `Client`), as far as the plugin's own steps use it. */
export interface LibsqlConnection {
  execute(statement: string): Promise<unknown>
  close(): void
}

/** The migrated, seeded database every test's clone is copied from. */
export interface Template {
  /** Content hash of everything that shapes the template. */
  readonly key: string
  /** The cached template file; file-mode clones are copies of it. */
  readonly file: string
  /** The template's bytes; memory-mode clones are deserialized from it. */
  readonly image: Buffer
  /** Whether this call built the template (false: it came from the cache). */
  readonly built: boolean
  /**
   * Why better-sqlite3 cannot read it, when libSQL built it with a feature of its own in the
   * schema: then only `testLibsqlClient()` can use a test's copy, and `ctx.db` refuses.
   */
  readonly libsqlOnly?: string | undefined
}
