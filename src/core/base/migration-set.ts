import type { ModuleImport } from './module-import.js'
import type { TemplateStep } from './template-step.js'

/** A value JSON can carry: what a migration set's settings may hold, so any process can rebuild it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/**
 * An ORM's migrations, described as plain data (`drizzleMigrations({ folder })` and its kin
 * make them): the main process (Vitest's plugin, Jest's global setup, the build command)
 * applies them to the template before any worker starts, and hands the workers the result.
 * A worker that is handed a template holding the same set never reads its files.
 */
export interface MigrationSet {
  /** The ORM whose own migrator applies the set: `'drizzle'`, `'kysely'` or `'prisma'`. */
  readonly orm: string
  /** The migrations folder: absolute, or relative to the `rootDir` option. */
  readonly folder: string
  /** The migrator's settings that shape the database (a migrations table's name, say). */
  readonly settings?: { readonly [key: string]: JsonValue }
  /**
   * The call that makes the set and its folder's option, for messages that show it:
   * `{ call: 'knexSeeds', option: 'directory' }`. Default `<orm>Migrations`, `folder`.
   */
  readonly madeBy?: { readonly call: string; readonly option: string }
}

/** What turning a migration set into template steps needs from the process doing it. */
export interface MigrationContext {
  /** The directory relative paths are resolved from. */
  readonly rootDir: string
  /**
   * Loads a project module (a TypeScript migration) as test code is loaded: through Vite's
   * transform in Vitest's main process and workers, Jest's transform in Jest.
   */
  readonly importModule: ModuleImport
}

/** Turns a migration set into the steps that apply it (reading the folder); supplied by the runner adapters. */
export type MigrationSteps = (set: MigrationSet, context: MigrationContext) => Promise<TemplateStep[]>

/** A set's identity: two sets with one identity apply the same migrations the same way. */
export function migrationSetId(set: MigrationSet): string {
  return JSON.stringify([set.orm, set.folder, set.settings ?? {}])
}
