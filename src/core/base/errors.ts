/**
 * Every error the plugin throws is one of these classes. Two copies of the package can be
 * loaded at once (ESM and CommonJS), so match on `name` or `code`, not only `instanceof`.
 */
export class SqliteFixturesError extends Error {
  /** A stable, machine-readable code, e.g. `SQLITE_FIXTURES_CONFIG`. */
  readonly code: string

  constructor(message: string, code = 'SQLITE_FIXTURES', options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** An option has a wrong name, type or value. */
export class SqliteFixturesConfigError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_CONFIG', options)
  }
}

/** Where a failing SQL statement sits: the file, its line, and the statement itself. */
export interface StatementLocation {
  file: string
  line: number
  statement: string
}

/** A schema or seed file (or a seed function) failed while building the template. */
export class SchemaError extends SqliteFixturesError {
  readonly location: StatementLocation | undefined

  constructor(message: string, location?: StatementLocation, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_SCHEMA', options)
    this.location = location
  }
}

/** A layer is misdeclared (unknown dependency, duplicate name, cycle) or failed. */
export class LayerError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_LAYER', options)
  }
}

/** A fixture was used where it does not exist: outside a test, or in a test that opted out. */
export class FixtureUnavailableError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions, code = 'SQLITE_FIXTURES_UNAVAILABLE') {
    super(message, code, options)
  }
}

/**
 * Work a test (or a describe block's setup) left running, such as a timer, an unawaited
 * promise or code that went on after a timeout, reached for the database after it ended.
 * The plugin refuses it: nothing is written, and the run reports it with the test's name.
 */
export class LateWorkError extends FixtureUnavailableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options, 'SQLITE_FIXTURES_LATE_WORK')
  }
}

/**
 * Something made in one test reached another: a statement prepared through
 * `testDatabase()` during one test and run during another.
 */
export class CrossTestError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_CROSS_TEST', options)
  }
}

/**
 * A test ended having caught one of the plugin's refusals (a `try`/`catch`, or an assertion
 * such as `toThrow()` that met it instead of the app's own error), or a test declared to fail
 * met one: it fails with it, so that no test passes on the plugin's error by accident. The
 * refusal is the `cause`. `expectRefusal()` is how a test says it means to meet one.
 */
export class CaughtRefusalError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_CAUGHT_REFUSAL', options)
  }
}

/**
 * A native SQLite driver (better-sqlite3, or node-sqlite3 under `testSqlite3Database()`) cannot
 * be loaded: it is not installed, its native addon was never built (pnpm, Yarn and bun skip
 * build scripts they were not told to run), or it was built for another Node. The message
 * names the command that fixes it.
 */
export class DriverUnavailableError extends SqliteFixturesError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_DRIVER', options)
  }
}
