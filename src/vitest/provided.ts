import type { TemplateHandoff } from '../core/template/index.js'
import type { SqliteFixturesOptions } from '../core/base/index.js'
import type { RunTempDir } from '../core/lifecycle/index.js'

/** What the plugin hands the workers through Vitest's `provide`/`inject`. */
export const providedKey = 'sqliteFixtures'

/**
 * The options the plugin can carry: plain data, which the main process builds the template
 * from and hands to the workers. A seed function and your own layers are code: they go in a
 * setup file, through `configureSqliteFixtures`.
 */
export type SerializableOptions = Omit<SqliteFixturesOptions, 'layers' | 'seed'> & {
  seed?: string | readonly string[]
}

/** The plugin's options, with the project's root, the template the main process built from them, and the run's private temp dir. */
export interface Provided {
  readonly options: SerializableOptions
  readonly template: TemplateHandoff
  readonly runTempDir?: RunTempDir | undefined
}

declare module 'vitest' {
  interface ProvidedContext {
    [providedKey]: Provided
  }
}
