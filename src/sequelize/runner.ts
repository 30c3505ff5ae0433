import fs from 'node:fs'
import path from 'node:path'
import type { ModelStatic, Model, QueryInterface, Sequelize } from 'sequelize'
import type { ModuleImport } from '../core/base/index.js'
import { SequelizeLayerError } from './errors.js'
import { sequelizeModule } from './orm.js'

/** The files sequelize-cli reads as migrations or seeders (its `pattern`): scripts, not declarations. */
const scriptFile = /^(?!.*\.d\.[cm]?ts$).*\.(cjs|js|cts|ts)$/

/** A migration or seeder as sequelize-cli runs it: `up(queryInterface, Sequelize)`, and `down`. */
interface CliMigration {
  up(queryInterface: QueryInterface, Sequelize: unknown): unknown
  down?(queryInterface: QueryInterface, Sequelize: unknown): unknown
}

/** The migration or seeder files of a folder, in the order sequelize-cli runs them (by name). */
export function cliFiles(folder: string, kind: 'migration' | 'seeder'): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(folder)
  } catch (error) {
    throw new SequelizeLayerError(
      `sqlite-fixtures: the Sequelize ${kind}s folder ${folder} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}). ` +
        `Give sequelize${kind === 'seeder' ? 'Seeders' : 'Migrations'}({ folder }) your ${kind}s folder, relative to the rootDir option.`,
      { cause: error },
    )
  }
  return names.filter((name) => scriptFile.test(name)).sort()
}

/** Loads a migration with the runner's loader; sequelize-cli's are CommonJS, so `up` may be on the default export. */
async function load(file: string, importModule: ModuleImport): Promise<CliMigration> {
  let loaded: unknown
  try {
    loaded = await importModule(file)
  } catch (error) {
    throw new SequelizeLayerError(`sqlite-fixtures: ${file} failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  const module = loaded as Partial<CliMigration> & { default?: Partial<CliMigration> }
  const migration = typeof module.up === 'function' ? module : module.default
  if (typeof migration?.up !== 'function') throw new SequelizeLayerError(`sqlite-fixtures: ${file} exports no up(queryInterface, Sequelize) function.`)
  return migration as CliMigration
}

/** A migration that failed, and why. */
export interface RunFailure {
  readonly file: string
  readonly error: unknown
}

/** Thrown by `CliRunner` when a migration or seeder fails: it names which. */
export class CliStepError extends Error {
  readonly failure: RunFailure

  constructor(failure: RunFailure) {
    super(failure.error instanceof Error ? failure.error.message : String(failure.error), { cause: failure.error })
    this.failure = failure
  }
}

/**
 * Migrations (or seeders) of a folder, run as sequelize-cli's `db:migrate` (`db:seed:all`)
 * runs them, with Umzug: in name order, each `up(queryInterface, Sequelize)`, applied
 * migrations recorded by name in `SequelizeMeta` (the table and rows Umzug's `SequelizeStorage`
 * writes); seeders are not recorded (sequelize-cli's default storage for them is none).
 */
export class CliRunner {
  readonly #sequelize: Sequelize
  readonly #folder: string
  readonly #kind: 'migration' | 'seeder'
  readonly #importModule: ModuleImport
  #meta: ModelStatic<Model<{ name: string }>> | undefined

  constructor(sequelize: Sequelize, folder: string, kind: 'migration' | 'seeder', importModule: ModuleImport) {
    this.#sequelize = sequelize
    this.#folder = folder
    this.#kind = kind
    this.#importModule = importModule
  }

  /** All the folder's files, in order. */
  get files(): string[] {
    return cliFiles(this.#folder, this.#kind)
  }

  async #metaTable(): Promise<ModelStatic<Model<{ name: string }>>> {
    if (!this.#meta) {
      const { DataTypes } = sequelizeModule()
      const meta = this.#sequelize.define<Model<{ name: string }>>(
        'SequelizeMeta',
        { name: { type: DataTypes.STRING, allowNull: false, unique: true, primaryKey: true, autoIncrement: false } },
        { tableName: 'SequelizeMeta', timestamps: false, charset: 'utf8', collate: 'utf8_unicode_ci' },
      )
      await meta.sync()
      this.#meta = meta
    }
    return this.#meta
  }

  /** Names of the applied migrations, in order (seeders: none, they are not recorded). */
  async applied(): Promise<string[]> {
    if (this.#kind === 'seeder') return []
    const rows = await (await this.#metaTable()).findAll({ order: [['name', 'ASC']] })
    return rows.map((row) => row.get('name') as string)
  }

  async pending(): Promise<string[]> {
    const done = new Set(await this.applied())
    return this.files.filter((file) => !done.has(file))
  }

  async #run(file: string, direction: 'up' | 'down'): Promise<void> {
    const full = path.join(this.#folder, file)
    const migration = await load(full, this.#importModule)
    const step = migration[direction]
    if (typeof step !== 'function') throw new SequelizeLayerError(`sqlite-fixtures: ${full} exports no ${direction}(queryInterface, Sequelize) function.`)
    try {
      await step.call(migration, this.#sequelize.getQueryInterface(), sequelizeModule())
    } catch (error) {
      throw new CliStepError({ file: full, error })
    }
    if (this.#kind === 'seeder') return
    const meta = await this.#metaTable()
    if (direction === 'up') await meta.create({ name: file })
    else await meta.destroy({ where: { name: file } })
  }

  /** Runs the pending files up to and including `last` (every one when not given). */
  async up(last?: string): Promise<void> {
    const pending = await this.pending()
    const until = last === undefined ? pending.length : pending.indexOf(last) + 1
    for (const file of pending.slice(0, until)) await this.#run(file, 'up')
  }

  /** Reverts the last applied migration. */
  async down(): Promise<void> {
    const last = (await this.applied()).at(-1)
    if (last !== undefined) await this.#run(last, 'down')
  }
}
