import type Database from 'better-sqlite3'
import { MigrationExecutor, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm'
import { defineLayer, type Layer, runnerModuleGraph, SchemaError, type TemplateStep } from '../core/base/index.js'
import { currentScope } from '../core/lifecycle/index.js'
import { testDatabase } from '../core/access/index.js'
import { connectionTo, holderOf, swapConnection } from './connection.js'
import { TypeormLayerError } from './errors.js'
import { openDatabase } from '../core/driver/index.js'

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
  /** An empty connection the DataSource holds while it builds metadata. */
  let idle: Database.Database | undefined
  const useMigrations = () => (options.schema ?? (dataSource.migrations.length > 0 ? 'migrations' : 'synchronize')) === 'migrations'

  /**
   * The connection the DataSource keeps between template steps: the test-following handle,
   * which answers each use with the database of the test it runs in. So app code that only
   * ever touches your DataSource gets the test's database without the test asking for it,
   * and a test that never touches it makes no database.
   */
  const handle = testDatabase()

  /** Whether the DataSource is on the handle (not on the template, while it is built). */
  let serving = false

  /** Runs `work` with `db` under the DataSource (template steps), then puts the handle back. */
  const withConnection = async (db: Database.Database, work: () => Promise<unknown>) => {
    serving = false
    swapConnection(dataSource, db)
    try {
      await work()
    } finally {
      swapConnection(dataSource, handle)
      serving = true
    }
  }

  /**
   * Each test's own query runner, by its database. TypeORM's SQLite driver shares one runner,
   * which keeps transaction state and cached statements: two concurrent tests on it would
   * share a transaction. So each test gets a runner of its own, made with the layer.
   */
  const runners = new WeakMap<Database.Database, QueryRunner>()
  const { driver } = dataSource
  const createQueryRunner = pristineRunners.get(driver) ?? driver.createQueryRunner.bind(driver)
  pristineRunners.set(driver, createQueryRunner)
  // TypeORM takes a query runner, and decides whether to open a transaction, before it first
  // touches the connection: so the layer is built when TypeORM asks for a runner.
  driver.createQueryRunner = (mode) => {
    if (!serving) return createQueryRunner(mode)
    const scope = currentScope()
    scope.get('dataSource')
    return runners.get(scope.get('db')) ?? createQueryRunner(mode)
  }
  const newRunner = (): QueryRunner => {
    const holder = holderOf(dataSource)
    holder.queryRunner = undefined
    const runner = createQueryRunner('master')
    holder.queryRunner = undefined
    return runner
  }

  const schemaStep = async (): Promise<TemplateStep> => {
    if (useMigrations()) {
      const migrations = dataSource.migrations
      return {
        name: `typeorm migrations (${migrations.length})`,
        fingerprint: migrations.map((m) => `${migrationName(m)}\n${String(m.up)}\n${String(m.down)}`).join('\n'),
        // The modules that define the classes: what they import (a shared constants module)
        // shapes the template too, and the runner's module graph tells what that is.
        files: runnerModuleGraph()?.filesExporting(migrations.map((m) => m.constructor)) ?? [],
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
      idle = openDatabase(':memory:')
      if (!dataSource.isInitialized) {
        // Only metadata is built here: no file is opened, nothing is migrated.
        dataSource.setOptions({ driver: connectionTo(idle), database: ':memory:', synchronize: false, migrationsRun: false, dropSchema: false })
        await dataSource.initialize()
      }
      swapConnection(dataSource, handle)
      serving = true
    },
    templateSteps: async () => [await schemaStep()],
    setup: ({ db }) => {
      const runner = newRunner()
      if (db.inTransaction) adoptOpenTransaction(runner)
      runners.set(db, runner)
      return dataSource
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
