import fs from 'node:fs'
import path from 'node:path'
import { SqliteFixturesConfigError } from './errors.js'

/** An entry of a folder, with symbolic links followed: the target decides whether it is a file or a folder. */
interface FolderEntry {
  readonly name: string
  /** The entry's own path (the link's, for a link): what errors and step names show. */
  readonly path: string
  readonly isFile: boolean
  readonly isDirectory: boolean
}

/**
 * The entries of a folder, in no particular order, symbolic links followed (monorepos share
 * schema files and migrations that way): a link stands for what it points to. A link that
 * points nowhere is an error naming it, never skipped, since a missing schema file would
 * otherwise go unnoticed. `what` names the folder in that error (`the schema folder`, say).
 */
export function folderEntries(dir: string, what: string): FolderEntry[] {
  return fs.readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const file = path.join(dir, entry.name)
    if (!entry.isSymbolicLink()) return { name: entry.name, path: file, isFile: entry.isFile(), isDirectory: entry.isDirectory() }
    const target = fs.statSync(file, { throwIfNoEntry: false })
    if (!target) {
      throw new SqliteFixturesConfigError(
        `sqlite-fixtures: ${file} in ${what} is a symbolic link to ${fs.readlinkSync(file)}, which does not exist. ` +
          'Point the link at the file (or folder) it stands for, or remove it.',
      )
    }
    return { name: entry.name, path: file, isFile: target.isFile(), isDirectory: target.isDirectory() }
  })
}
