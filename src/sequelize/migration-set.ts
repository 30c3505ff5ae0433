import path from 'node:path'
import fs from 'node:fs'
import type { Options, Sequelize } from 'sequelize'
import { type JsonValue, lineIn, type MigrationSet, type MigrationSteps, SchemaError, type TemplateStep, unknownOption } from '../core/base/index.js'
import { startingOnSqlite3 } from '../sqlite3/module.js'
import { SequelizeLayerError } from './errors.js'
import { sequelizeModule, sequelizeVersion } from './orm.js'
import { cliFiles, CliRunner, CliStepError } from './runner.js'

export interface SequelizeMigrationsOptions {
  /**
   * The folder of your migrations, in sequelize-cli's format (`up(queryInterface, Sequelize)`,
   * `.js`, `.cjs` or `.ts`), relative to the `rootDir` option (the Vitest root, with the
   * plugin), or absolute. TypeScript files load through the runner's transform.
   */
  folder: string
  /**
   * Options of the Sequelize the migrations run on that shape what they create (`define`:
   * `underscored`, `timestamps`...), as in your config for sequelize-cli. Plain data.
   */
  options?: { readonly [key: string]: JsonValue }
}

/** What `sequelizeSeeders()` takes. */
export type SequelizeSeedersOptions = SequelizeMigrationsOptions

function setOf(call: string, kind: 'migrations' | 'seeders', given: unknown): MigrationSet {
  if (typeof given !== 'object' || given === null) throw new SequelizeLayerError(`sqlite-fixtures: ${call} needs options: { folder }.`)
  const unknown = unknownOption(given, ['folder', 'options'])
  if (unknown) throw new SequelizeLayerError(`sqlite-fixtures: ${call} has no option "${unknown.name}". Did you mean "${unknown.guess}"? Known options: folder, options.`)
  const { folder, options = {} } = given as Partial<SequelizeMigrationsOptions>
  if (typeof folder !== 'string' || folder === '') throw new SequelizeLayerError(`sqlite-fixtures: ${call} needs the option "folder": your ${kind} folder.`)
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new SequelizeLayerError(`sqlite-fixtures: ${call}: option "options" must be an object of Sequelize options.`)
  const taken = ['dialect', 'storage', 'host'].find((key) => key in options)
  if (taken) throw new SequelizeLayerError(`sqlite-fixtures: ${call}: option "options" cannot set "${taken}": the ${kind} run on the template.`)
  return { orm: 'sequelize', folder, settings: { kind, options }, madeBy: { call: call.slice(0, -'()'.length), option: 'folder' } }
}

/**
 * Your Sequelize migrations (sequelize-cli's format), as plain data for the plugin's
 * `migrations` option: applied once, to the template, in name order, as `sequelize-cli
 * db:migrate` applies them (its `SequelizeMeta` rows included), in the main process before
 * any worker starts.
 *
 * ```ts
 * sqliteFixtures({ migrations: [sequelizeMigrations({ folder: 'migrations' }), sequelizeSeeders({ folder: 'seeders' })] })
 * ```
 */
export function sequelizeMigrations(options: SequelizeMigrationsOptions): MigrationSet {
  return setOf('sequelizeMigrations()', 'migrations', options)
}

/** Your Sequelize seeders (sequelize-cli's format), run once on the template after the migrations, as `db:seed:all` runs them. */
export function sequelizeSeeders(options: SequelizeSeedersOptions): MigrationSet {
  return setOf('sequelizeSeeders()', 'seeders', options)
}

/** A Sequelize of the plugin's own on the template being built (a file), with the set's options. */
export function sequelizeOn(storage: string, options: { readonly [key: string]: JsonValue }): Sequelize {
  const { Sequelize } = sequelizeModule()
  return startingOnSqlite3(() => new Sequelize({ ...(options as Options), dialect: 'sqlite', storage, logging: false }))
}

/** Where a migration failed, for messages: `migrations/20240101-create-user.js:12`. */
export function failedAt(error: CliStepError, rootDir: string): string {
  const line = lineIn(error.failure.error, error.failure.file)
  return `${path.relative(rootDir, error.failure.file).split(path.sep).join('/')}${line === undefined ? '' : `:${line}`}`
}

/** The steps of a Sequelize migration or seeder set: the folder, run as sequelize-cli runs it, on node-sqlite3. */
export const migrationSteps: MigrationSteps = async (set, { rootDir, importModule }) => {
  const folder = path.resolve(rootDir, set.folder)
  const kind = set.settings?.['kind'] === 'seeders' ? 'seeder' : 'migration'
  const options = (set.settings?.['options'] ?? {}) as { readonly [key: string]: JsonValue }
  const files = cliFiles(folder, kind)
  if (files.length === 0) throw new SequelizeLayerError(`sqlite-fixtures: the Sequelize ${kind}s folder ${folder} holds no ${kind} file (.js, .cjs, .ts).`)
  const step: TemplateStep = {
    name: `sequelize ${kind}s (${files.length})`,
    fingerprint: [`sequelize ${sequelizeVersion()}`, kind, JSON.stringify(options), ...files.map((file) => `${file}\n${fs.readFileSync(path.join(folder, file), 'utf8')}`)].join('\n'),
    files: [folder],
    // Sequelize runs on node-sqlite3, which opens the file itself.
    onFile: true,
    apply: async (db) => {
      const sequelize = sequelizeOn(db.name, options)
      try {
        await new CliRunner(sequelize, folder, kind, importModule).up()
      } catch (error) {
        if (!(error instanceof CliStepError)) throw error
        throw new SchemaError(
          `sqlite-fixtures: Sequelize ${kind} ${path.basename(error.failure.file)} failed while building the template, at ${failedAt(error, rootDir)}: ${error.message}. ` +
            (kind === 'seeder' ? 'Fix the seeder, and run the tests again.' : "Fix the migration, or step through the migrations with migrator() from 'sqlite-fixtures/sequelize'."),
          undefined,
          { cause: error.failure.error },
        )
      } finally {
        await sequelize.close()
      }
    },
  }
  return [step]
}
