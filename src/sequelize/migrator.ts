import path from 'node:path'
import type { QueryInterface, Sequelize } from 'sequelize'
import { type FileMigrator, importProjectModule, type JsonValue, type ModuleImport, pendingFile } from '../core/base/index.js'
import { SequelizeMigrationError } from './errors.js'
import { failedAt, sequelizeOn } from './migration-set.js'
import { CliRunner, CliStepError } from './runner.js'

export interface SequelizeMigratorOptions {
  /** The folder of your migrations (sequelize-cli's format): absolute, or relative to the current directory. */
  folder: string
  /** Options of the Sequelize the migrations run on, as for `sequelizeMigrations()`. */
  options?: { readonly [key: string]: JsonValue }
  /** How migration files load. Default: as the test runner loads test code (TypeScript too). */
  import?: ModuleImport
}

/**
 * Your migrations on a Sequelize of their own, on a fresh in-memory node-sqlite3 database,
 * one at a time, for data-migration tests: migrate to a point, insert rows with the schema of
 * that point, migrate on, and check what became of them.
 */
export interface SequelizeMigrator extends FileMigrator {
  /** The Sequelize the migrations run on. */
  readonly sequelize: Sequelize
  /** Its query interface, as the migrations get it. */
  readonly queryInterface: QueryInterface
}

/** Opens a migrator on a fresh in-memory database; nothing is applied yet. */
export function migrator(options: SequelizeMigratorOptions): SequelizeMigrator {
  if (typeof options?.folder !== 'string' || options.folder === '') {
    throw new SequelizeMigrationError('sqlite-fixtures: migrator() needs the option "folder": your Sequelize migrations folder.')
  }
  const folder = path.resolve(options.folder)
  const sequelize = sequelizeOn(':memory:', options.options ?? {})
  const runner = new CliRunner(sequelize, folder, 'migration', options.import ?? importProjectModule)
  const run = async (step: () => Promise<void>) => {
    try {
      await step()
    } catch (error) {
      if (!(error instanceof CliStepError)) throw error
      throw new SequelizeMigrationError(`sqlite-fixtures: Sequelize migration ${failedAt(error, process.cwd())} failed: ${error.message}`, path.basename(error.failure.file), {
        cause: error.failure.error,
      })
    }
  }
  return {
    sequelize,
    queryInterface: sequelize.getQueryInterface(),
    applied: () => runner.applied(),
    pending: () => runner.pending(),
    async upTo(name) {
      const found = pendingFile(runner.files, await runner.pending(), name, folder)
      if ('problem' in found) throw new SequelizeMigrationError(found.problem, name)
      await run(() => runner.up(found.file))
    },
    upToLatest: () => run(() => runner.up()),
    down: () => run(() => runner.down()),
    close: () => sequelize.close(),
  }
}
