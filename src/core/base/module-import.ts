import { pathToFileURL } from 'node:url'

/** Loads a module file by its absolute path and returns its exports (a namespace or `module.exports`). */
export type ModuleImport = (file: string) => Promise<unknown>

let runnerImport: ModuleImport | undefined

/**
 * Set by a runner adapter: how that runner loads a project's own files, through its
 * transform (Vitest's module runner, Jest's `require`). This package's code is loaded by
 * Node itself in a real install, so its own `import()` of a TypeScript file would fail.
 */
export function useRunnerImport(load: ModuleImport): void {
  runnerImport = load
}

/**
 * Loads a project file (a migration, say) as the running test runner loads test code, or
 * with Node's `import()` where no runner said how.
 */
export function importProjectModule(file: string): Promise<unknown> {
  return runnerImport ? runnerImport(file) : import(pathToFileURL(file).href)
}
