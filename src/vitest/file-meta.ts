import type { RunnerTestFile } from 'vitest'

/**
 * What a test file's worker tells the main process about its databases, through the file
 * task's `meta` (sent back with the file's result): watch mode reruns only the files that
 * use a database when the schema changes, and watches the files layers built it from.
 */
export interface DatabaseUse {
  /** Whether a test or block of the file opened a database. */
  readonly opened: boolean
  /** Files the layers' template steps read (an ORM's migrations folder). */
  readonly templateFiles: readonly string[]
}

const metaKey = 'sqliteFixtures'

export function recordDatabaseUse(file: RunnerTestFile, use: DatabaseUse): void {
  ;(file.meta as Record<string, unknown>)[metaKey] = use
}

export function readDatabaseUse(file: RunnerTestFile): DatabaseUse | undefined {
  return (file.meta as Record<string, DatabaseUse | undefined>)[metaKey]
}
