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
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'SQLITE_FIXTURES_UNAVAILABLE', options)
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
