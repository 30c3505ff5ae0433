import type { Kysely } from 'kysely'
import { KyselyLayerError } from './errors.js'
import { kyselyModule } from './orm.js'
import type { KyselyMigrationProvider, KyselyMigratorProps } from './types.js'

/** What one `Migrator` call reports: Kysely returns failures here instead of throwing them. */
export interface MigrationResultSet {
  readonly error?: unknown
  readonly results?: readonly { readonly migrationName: string; readonly direction: 'Up' | 'Down'; readonly status: 'Success' | 'Error' | 'NotExecuted' }[]
}

/** The part of Kysely's `Migrator` this package uses, the same in 0.28 and 0.29. */
interface KyselyMigratorInstance {
  getMigrations(): Promise<readonly { readonly name: string; readonly executedAt?: Date }[]>
  migrateToLatest(): Promise<MigrationResultSet>
  migrateTo(name: string): Promise<MigrationResultSet>
  migrateDown(): Promise<MigrationResultSet>
}

type MigratorConstructor = new (
  props: KyselyMigratorProps & { db: Kysely<unknown>; provider: KyselyMigrationProvider },
) => KyselyMigratorInstance

let found: Promise<MigratorConstructor> | undefined

/**
 * Kysely's own `Migrator`: exported by `kysely` up to 0.28, by `kysely/migration` from 0.29
 * (whose `kysely` no longer has it). Read from the namespace so neither import fails to link.
 */
export function migratorClass(): Promise<MigratorConstructor> {
  found ??= (async () => {
    const fromRoot: unknown = (kyselyModule() as Record<string, unknown>)['Migrator']
    if (typeof fromRoot === 'function') return fromRoot as MigratorConstructor
    // Made at run time, so neither TypeScript (0.28's types have no such path), the bundler
    // nor Vite's import analysis (where this file is transformed) resolves it in advance.
    const subpath = ['kysely', 'migration'].join('/')
    const fromSubpath: unknown = ((await import(/* @vite-ignore */ subpath)) as Record<string, unknown>)['Migrator']
    if (typeof fromSubpath === 'function') return fromSubpath as MigratorConstructor
    throw new KyselyLayerError(
      "sqlite-fixtures: found no Migrator in 'kysely' or 'kysely/migration'. The Kysely layer supports kysely 0.28 and 0.29.",
    )
  })()
  return found
}
