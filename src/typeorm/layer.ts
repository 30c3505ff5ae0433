import Database from 'better-sqlite3'
import { MigrationExecutor, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm'
import { SchemaError } from '../core/errors.js'
import { defineLayer, type Layer } from '../core/layer.js'
import type { TemplateStep } from '../core/template.js'
import { currentScope } from '../core/current.js'
import { connectionTo, swapConnection } from './connection.js'
import { TypeormLayerError } from './errors.js'

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /** Your DataSource, connected to the test's own database for the test's duration. */
      dataSource: DataSource
    }
  }
}

export interface TypeormLayerOptions {
  /**
   * Your project's DataSource (the object app code imports), `type: 'better-sqlite3'`, with
   * class lists in `entities` and `migrations`. The layer initializes it once per test file
   * (on an empty in-memory connection, without running migrations or synchronize) and puts
   * each test's database under it.
   */
  dataSource: DataSource
  /**
   * How the template gets the schema: `'migrations'` runs the DataSource's migrations,
   * `'synchronize'` applies the DDL TypeORM derives from the entities. Default: migrations
   * when the DataSource has any, else synchronize.
   */
  schema?: 'migrations' | 'synchronize'
}

function migrationName(migration: MigrationInterface): string {
  return migration.name ?? migration.constructor.name
}

/** Each driver's own createQueryRunner, so a layer made again (per test file) wraps it once. */
const pristineRunners = new WeakMap<object, DataSource['driver']['createQueryRunner']>()

/**
 * The TypeORM layer: `ctx.dataSource` is your own DataSource, swapped onto the test's fresh
 * database; app code that imported it (and repositories taken from it) sees the test's
 * data unchanged. Migrations run once, on the template.
 */
export function typeormLayer(options: TypeormLayerOptions): Layer<'dataSource', DataSource, 'db'> {
  const { dataSource } = options
  if (!dataSource || typeof dataSource.initialize !== 'function') {
    throw new TypeormLayerError('sqlite-fixtures: typeormLayer({ dataSource }) needs your TypeORM DataSource.')
  }
  if (dataSource.options.type !== 'better-sqlite3') {
    throw new TypeormLayerError(
      `sqlite-fixtures: typeormLayer needs a DataSource of type 'better-sqlite3' (the test databases are ` +
        `better-sqlite3 connections), got type '${dataSource.options.type}'. Use type: 'better-sqlite3' in tests.`,
    )
  }
  /** An empty connection the DataSource holds while it builds metadata and between steps. */
  let idle: Database.Database | undefined
  /** The test the DataSource serves now, and that test's database. */
  let held: { id: string; name: string; db: Database.Database } | undefined
  const useMigrations = () => (options.schema ?? (dataSource.migrations.length > 0 ? 'migrations' : 'synchronize')) === 'migrations'

  /**
   * The connection the DataSource keeps: it answers each use with the database of the test
   * it runs in, building this layer on first use. So app code that only ever touches your
   * DataSource gets the test's database without the test asking for it, and a test that
   * never touches it makes no database.
   */
  const testConnection = new Proxy({} as Database.Database, {
    get(_target, property) {
      const scope = currentScope()
      scope.get('dataSource')
      if (!held || held.id !== scope.test.id) throw concurrentUse(held?.name ?? 'another test', scope.test.name)
      const value: unknown = Reflect.get(held.db, property)
      return typeof value === 'function' ? value.bind(held.db) : value
    },
  })

  /** Whether the DataSource is on `testConnection` (not on the template, while it is built). */
  let serving = false

  /** Runs `work` with `db` under the DataSource (template steps), then puts the test connection back. */
  const withConnection = async (db: Database.Database, work: () => Promise<unknown>) => {
    serving = false
    swapConnection(dataSource, db)
    try {
      await work()
    } finally {
      swapConnection(dataSource, testConnection)
      serving = true
    }
  }

  /**
   * TypeORM takes a query runner, and decides whether to open a transaction, before it first
   * touches the connection: so the layer is built (and the runner told of an open
   * transaction, under isolation 'savepoint') when TypeORM asks for a runner.
   */
  const { driver } = dataSource
  const createQueryRunner = pristineRunners.get(driver) ?? driver.createQueryRunner.bind(driver)
  pristineRunners.set(driver, createQueryRunner)
  driver.createQueryRunner = (mode) => {
    if (serving) currentScope().get('dataSource')
    return createQueryRunner(mode)
  }

  const schemaStep = async (): Promise<TemplateStep> => {
    if (useMigrations()) {
      const migrations = dataSource.migrations
      return {
        name: `typeorm migrations (${migrations.length})`,
        fingerprint: migrations.map((m) => `${migrationName(m)}\n${String(m.up)}\n${String(m.down)}`).join('\n'),
        apply: (db) => withConnection(db, () => runEach(dataSource)),
      }
    }
    // The DDL synchronize would run on an empty database stands for the entities: a
    // changed column changes it, so the cached template is rebuilt.
    let ddl = ''
    await withConnection(idle as Database.Database, async () => {
      ddl = (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((query) => query.query).join(';\n')
    })
    return {
      name: 'typeorm synchronize',
      fingerprint: ddl,
      apply: (db) => withConnection(db, () => dataSource.synchronize()),
    }
  }

  return defineLayer({
    name: 'dataSource',
    dependsOn: ['db'],
    async prepare() {
      idle = new Database(':memory:')
      if (!dataSource.isInitialized) {
        // Only metadata is built here: no file is opened, nothing is migrated.
        dataSource.setOptions({ driver: connectionTo(idle), database: ':memory:', synchronize: false, migrationsRun: false, dropSchema: false })
        await dataSource.initialize()
      }
      swapConnection(dataSource, testConnection)
      serving = true
    },
    templateSteps: async () => [await schemaStep()],
    setup: ({ db }, test) => {
      if (held) throw concurrentUse(held.name, test.name)
      held = { id: test.id, name: test.name, db }
      // A new test: TypeORM's query runner caches statements of the last test's database.
      swapConnection(dataSource, testConnection)
      if (db.inTransaction) adoptOpenTransaction(createQueryRunner('master'))
      return dataSource
    },
    teardown: () => {
      held = undefined
      swapConnection(dataSource, testConnection)
    },
  })
}

/**
 * Under isolation 'savepoint' the test already runs inside a transaction. Told so, TypeORM
 * nests its own (`save`, `dataSource.transaction`) as savepoints instead of issuing a
 * `BEGIN`, which SQLite would refuse, and the test's rollback undoes them with the rest.
 */
function adoptOpenTransaction(queryRunner: QueryRunner): void {
  const runner = queryRunner as unknown as { isTransactionActive: boolean; transactionDepth: number }
  if (typeof runner.transactionDepth !== 'number') {
    throw new TypeormLayerError(
      "sqlite-fixtures: this TypeORM version's query runner keeps no transactionDepth, so its transactions cannot nest " +
        "inside isolation 'savepoint'. Use isolation 'clone' with TypeORM.",
    )
  }
  runner.isTransactionActive = true
  runner.transactionDepth = 1
}

/** Runs the pending migrations one by one, so a failure names the migration at fault. */
async function runEach(dataSource: DataSource): Promise<void> {
  const executor = new MigrationExecutor(dataSource)
  for (const migration of await executor.getPendingMigrations()) {
    try {
      await executor.executeMigration(migration)
    } catch (error) {
      throw new SchemaError(
        `sqlite-fixtures: TypeORM migration ${migration.name} failed while building the template: ` +
          `${error instanceof Error ? error.message : String(error)}. Fix the migration, or run it alone with ` +
          "migrator() from 'sqlite-fixtures/typeorm' to see its effect step by step.",
        undefined,
        { cause: error },
      )
    }
  }
}

function concurrentUse(holder: string, test: string): TypeormLayerError {
  return new TypeormLayerError(
    `sqlite-fixtures: test "${test}" uses your DataSource while another test ("${holder}") holds it: ` +
      'one DataSource object can be on one test database at a time. Drop .concurrent for tests that use TypeORM.',
  )
}
