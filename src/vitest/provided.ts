import type { SqliteFixturesOptions } from '../core/options.js'

/** Options given to the plugin travel to the workers through Vitest's `provide`/`inject`. */
export const providedOptionsKey = 'sqliteFixtures'

/** The options the plugin can carry: everything but functions and layers, which only a setup file can hold. */
export type SerializableOptions = Omit<SqliteFixturesOptions, 'layers' | 'seed'> & {
  seed?: string | readonly string[]
}

declare module 'vitest' {
  interface ProvidedContext {
    [providedOptionsKey]: SerializableOptions
  }
}
