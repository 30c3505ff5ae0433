import type { MigrationResultSet } from './migrator-class.js'
import type { MigrationSource } from './source.js'

/** What went wrong in a `Migrator` call, read from the result set Kysely returns instead of throwing. */
export interface MigrationFailure {
  /** The migration that failed; undefined when the run failed before any (loading, a corrupted history). */
  readonly migration: string | undefined
  readonly direction: 'Up' | 'Down' | undefined
  readonly error: unknown
  /** "migration 002_orders (migrations/002_orders.ts)", or what failed when no migration did. */
  readonly where: string
  readonly reason: string
  /** The migrations that did run in this call, in order. */
  readonly applied: readonly string[]
}

/** The failure a result set reports, if any. */
export function failureOf(result: MigrationResultSet, source: MigrationSource): MigrationFailure | undefined {
  if (result.error === undefined) return undefined
  const failed = result.results?.find((step) => step.status === 'Error')
  const file = failed && source.fileOf(failed.migrationName)
  const { error } = result
  return {
    migration: failed?.migrationName,
    direction: failed?.direction,
    error,
    where: failed
      ? `migration ${failed.migrationName}${file ? ` (${file})` : ''}${failed.direction === 'Down' ? ', going down,' : ''}`
      : `Kysely's Migrator (${source.label})`,
    reason: error instanceof Error ? error.message : String(error),
    applied: (result.results ?? []).filter((step) => step.status === 'Success').map((step) => step.migrationName),
  }
}
