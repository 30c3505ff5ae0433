import fs from 'node:fs'
import path from 'node:path'
import { folderEntries, SqliteFixturesConfigError } from '../base/index.js'

/** A `.sql` file to apply to the template, with the name it is reported and hashed under. */
export interface SqlSource {
  /** Path relative to the project root, with `/` separators. */
  readonly name: string
  readonly file: string
  readonly sql: string
}

function sqlFilesIn(dir: string, option: string): string[] {
  // Symbolic links are followed: a linked file is applied under the link's name.
  const files = folderEntries(dir, `the folder of option "${option}"`)
    .filter((entry) => entry.isFile && entry.name.endsWith('.sql'))
    .map((entry) => entry.path)
    .sort()
  if (files.length === 0) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: option "${option}" names the folder ${dir}, which holds no .sql files. ` +
        `Put the schema in .sql files there (applied in name order), or fix the path.`,
    )
  }
  return files
}

/** Module files a `seed` entry may name: their default export (or `seed` export) is a seed function. */
const moduleExtensions = /\.(?:[cm]?[jt]s)$/

/** Whether a `seed` entry names a module rather than SQL. */
export function isModulePath(entry: string): boolean {
  return moduleExtensions.test(entry) && !/\.d\.[cm]?ts$/.test(entry)
}

/**
 * Expands the paths of a `schema` or `seed` option into `.sql` files: a file stands for
 * itself, a folder for the `.sql` files directly inside it, in name order.
 */
export function readSqlSources(option: string, paths: readonly string[], rootDir: string): SqlSource[] {
  const files = paths.flatMap((entry) => {
    const stat = fs.statSync(entry, { throwIfNoEntry: false })
    if (!stat) {
      throw new SqliteFixturesConfigError(
        `sqlite-fixtures: option "${option}" names ${entry}, which does not exist ` +
          `(relative paths are resolved from ${rootDir}).`,
      )
    }
    if (stat.isDirectory()) return sqlFilesIn(entry, option)
    if (!entry.endsWith('.sql')) {
      throw new SqliteFixturesConfigError(
        `sqlite-fixtures: option "${option}" names ${entry}, which is not a .sql file. ` +
          (option === 'seed'
            ? 'Give .sql files, folders of them, or a module (.ts, .js) whose default export is a seed function.'
            : 'Give .sql files or folders of them; data goes in the seed option.'),
      )
    }
    return [entry]
  })
  return files.map((file) => ({
    name: path.relative(rootDir, file).split(path.sep).join('/'),
    file,
    sql: fs.readFileSync(file, 'utf8'),
  }))
}
