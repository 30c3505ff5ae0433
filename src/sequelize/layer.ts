import type { Sequelize, SyncOptions } from 'sequelize'
import { defineLayer, type Layer, SchemaError, type TemplateStep, unknownOption } from '../core/base/index.js'
import { followTests, lastTakenOver, onFile } from './connections.js'
import { SequelizeLayerError } from './errors.js'
import { describeModels } from './models.js'
import { sequelizeVersion } from './orm.js'

/** `ctx.sequelize`'s type: the instance type a project registers, else Sequelize's. */
type RegisteredSequelize = SqliteFixtures.Register extends { sequelize: infer Registered } ? Registered : Sequelize

declare global {
  namespace SqliteFixtures {
    interface Fixtures {
      /**
       * Your app's Sequelize (the one given to `sequelizeLayer`), on the test's own database.
       * Typed by `interface Register { sequelize: typeof sequelize }`.
       */
      sequelize: RegisteredSequelize
    }
  }
}

export interface SequelizeLayerOptions<S extends Sequelize> {
  /**
   * Your app's Sequelize (from `sequelize` or `sequelize-typescript`), with its models defined
   * on it: the object app code imports. `ctx.sequelize` is this object. Given here, it is
   * loaded with the setup file, in every test file; leave it out to keep Sequelize out of the
   * files that never use it: `ctx.sequelize` is then the Sequelize `testSequelize()` took over
   * in the module mock of your db module, which loads it when a test file first imports it.
   */
  sequelize?: S
  /**
   * Whether the template's schema comes from your models: `sync()` runs once, on the
   * template, as `sequelize.sync()` would create the tables (the options given are passed on;
   * `true` is `sync()` with none). Needs `sequelize`. Leave it out when the schema comes from
   * migrations (`sequelizeMigrations()` in the plugin's options) or the `schema` option.
   */
  sync?: boolean | Pick<SyncOptions, 'hooks'>
}

/**
 * Takes your app's Sequelize over, in place, for the running test: every query, transaction
 * and `sync()` it runs reaches the running test's own database, through real node-sqlite3
 * connections on that database's file; ten `test.concurrent` tests through the one instance
 * each reach their own. Returns the same instance. For the setup file's module mock of your
 * db module, where `sequelizeLayer()` (which does the same) is not wanted.
 */
export function testSequelize<S extends Sequelize>(sequelize: S): S {
  if (typeof (sequelize as { getDialect?: unknown } | null)?.getDialect !== 'function') {
    throw new SequelizeLayerError(`sqlite-fixtures: testSequelize() takes your app's Sequelize instance, got ${String(sequelize)}.`)
  }
  return followTests(sequelize, 'testSequelize()')
}

/** The template step that creates the models' tables with Sequelize's own `sync()`. */
function syncStep(sequelize: Sequelize, options: SyncOptions): TemplateStep {
  return {
    name: `sequelize sync (${Object.keys(sequelize.models).length} models)`,
    fingerprint: [`sequelize ${sequelizeVersion()}`, JSON.stringify(options), describeModels(sequelize)].join('\n'),
    onFile: true,
    apply: async (db) => {
      try {
        await onFile(sequelize, db.name, () => sequelize.sync(options))
      } catch (error) {
        throw new SchemaError(
          `sqlite-fixtures: Sequelize's sync() failed while building the template: ${error instanceof Error ? error.message : String(error)}. ` +
            'Check the models it names, and run the tests again.',
          undefined,
          { cause: error },
        )
      }
    },
  }
}

/**
 * The Sequelize layer: `ctx.sequelize` (Jest: `currentLayer('sequelize')`) is your app's own
 * Sequelize, taken over for the running test (as `testSequelize()` does), so app code that
 * imported it, and its models, reach the test's fresh database. With `sync: true`, the
 * template's tables come from your models, created once by `sync()`.
 */
export function sequelizeLayer<S extends Sequelize = RegisteredSequelize & Sequelize>(options: SequelizeLayerOptions<S> = {}): Layer<'sequelize', S, 'db'> {
  const given: unknown = options
  if (typeof given !== 'object' || given === null) throw new SequelizeLayerError('sqlite-fixtures: sequelizeLayer() takes options: { sequelize, sync }.')
  const unknown = unknownOption(given, ['sequelize', 'sync'])
  if (unknown) {
    const hint = ['migrations', 'folder'].includes(unknown.name)
      ? ' Give migrations to the plugin instead: migrations: [sequelizeMigrations({ folder })].'
      : ` Did you mean "${unknown.guess}"?`
    throw new SequelizeLayerError(`sqlite-fixtures: sequelizeLayer() has no option "${unknown.name}".${hint} Known options: sequelize, sync.`)
  }
  const { sequelize, sync = false } = options
  if (sequelize !== undefined && typeof (sequelize as { getDialect?: unknown }).getDialect !== 'function') {
    throw new SequelizeLayerError("sqlite-fixtures: sequelizeLayer({ sequelize }) needs your app's Sequelize instance.")
  }
  if (sync !== false && sequelize === undefined) {
    throw new SequelizeLayerError("sqlite-fixtures: sequelizeLayer({ sync }) needs your app's Sequelize too ({ sequelize, sync }): the models on it make the tables.")
  }
  if (sequelize) followTests(sequelize, 'sequelizeLayer()')
  const instance = (): S => {
    const found = sequelize ?? (lastTakenOver() as S | undefined)
    if (found) return found
    throw new SequelizeLayerError(
      "sqlite-fixtures: ctx.sequelize has no Sequelize to give: this test file took none over. Give sequelizeLayer({ sequelize }) your app's " +
        "Sequelize, or take it over with testSequelize() in the setup file's module mock of your db module (a test file then loads it when it imports your app).",
    )
  }
  return defineLayer({
    name: 'sequelize',
    dependsOn: ['db'],
    ...(sync === false || !sequelize ? {} : { templateSteps: () => [syncStep(sequelize, sync === true ? {} : sync)] }),
    setup: instance,
  })
}
