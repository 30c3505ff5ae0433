import path from 'node:path'

/**
 * The steps of a data-migration test's migrator whose migrations are files run in name order
 * (Knex's, sequelize-cli's): what `migrator()` of those layers offers, besides the ORM itself.
 */
export interface FileMigrator {
  /** Names of the applied migrations (their file names, as the ORM records them), in order. */
  applied(): Promise<string[]>
  /** Names of the migrations not yet applied, in the order they will run. */
  pending(): Promise<string[]>
  /** Applies the pending migrations up to and including `name` (a file name, with or without its extension). */
  upTo(name: string): Promise<void>
  /** Applies every pending migration. */
  upToLatest(): Promise<void>
  /** Reverts the last applied migration (its `down`). */
  down(): Promise<void>
  /** Closes the database. */
  close(): Promise<void>
}

/**
 * The file `upTo(name)` asks for, among a folder's migration `files`: named with or without
 * its extension, and still pending. Otherwise, why not, as the message of an error.
 */
export function pendingFile(files: readonly string[], pending: readonly string[], name: string, folder: string): { file: string } | { problem: string } {
  const file = files.find((candidate) => candidate === name || candidate.slice(0, -path.extname(candidate).length) === name)
  if (file !== undefined && pending.includes(file)) return { file }
  const state = file === undefined ? `no migration in ${folder} is named "${name}"` : `"${name}" is already applied`
  return { problem: `sqlite-fixtures: migrator().upTo(): ${state}. Pending: ${pending.join(', ') || 'none'}.` }
}
