// Every test file starts a fresh worker (Vitest's default, `isolate: true`), which compiles
// again all the JavaScript it loads natively: Vitest's own, the plugin's setup file (~125 kB,
// loaded by every file, database or not) and the project's externalized dependencies. Node
// 22.1+ keeps compiled code on disk between processes (its compile cache), read at the
// worker's start from NODE_COMPILE_CACHE.
import path from 'node:path'

/** The part of a Vitest project's resolved config this reads and sets. */
interface WorkerConfig {
  pool?: unknown
  env?: Partial<Record<string, string>>
}

/** Whether this Node reads NODE_COMPILE_CACHE: 22.1 and later. */
function hasCompileCache(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return major > 22 || (major === 22 && minor >= 1)
}

/** Where the workers' compiled code is kept: beside the plugin's templates, under its cache dir. */
export function compileCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'compile-cache')
}

/**
 * Starts the test workers with Node's compile cache in the plugin's cache dir, when Vitest
 * starts them as child processes (`forks`, its default, or `vmForks`; a thread reads no
 * environment at start) on a Node that has one, and neither the environment nor the
 * project's `test.env` says where it goes or turns it off (`NODE_COMPILE_CACHE`,
 * `NODE_DISABLE_COMPILE_CACHE`). Node checks each entry against its module's source.
 */
export function useCompileCache(test: WorkerConfig, cacheDir: string, version?: string, environment: NodeJS.ProcessEnv = process.env): void {
  if (!hasCompileCache(version)) return
  const pool = test.pool ?? 'forks'
  if (pool !== 'forks' && pool !== 'vmForks') return
  for (const name of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE']) {
    if (environment[name] !== undefined || test.env?.[name] !== undefined) return
  }
  test.env = { ...test.env, NODE_COMPILE_CACHE: compileCacheDir(cacheDir) }
}
