import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

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

const localRequire = createRequire(import.meta.url)

/**
 * The file `import` would load for `specifier`, or `undefined` where this build cannot tell:
 * the CommonJS build has no `import.meta.resolve`, and a module runner may refuse it.
 */
function esmEntry(specifier: string): string | undefined {
  const resolve = import.meta.resolve as ((specifier: string) => string) | undefined
  try {
    return resolve ? fileURLToPath(resolve(specifier)) : undefined
  } catch {
    return undefined
  }
}

/**
 * Loads a package synchronously, on first use: how the ORM layers reach their ORM, so that a
 * test file that never touches a database never loads it. In the ESM build it loads the
 * package's ES module (Node 20.19+ can `require` one) and so gets the very instance the app's
 * own `import` gets; the CommonJS build (Jest) gets the `require` entry, as Jest's code does.
 */
export function requirePackage<T>(specifier: string): T {
  let loaded = packages.get(specifier)
  if (loaded === undefined) {
    loaded = localRequire(esmEntry(specifier) ?? specifier)
    packages.set(specifier, loaded)
  }
  return loaded as T
}

/**
 * What `requirePackage()` loaded, by specifier: a layer asks per test, and resolving again each
 * time (`import.meta.resolve`, a round trip to the loader thread where hooks are registered) cost
 * up to ~0.8 ms per test. Node keeps the module itself anyway; a package that failed to load is
 * asked again.
 */
const packages = new Map<string, unknown>()
