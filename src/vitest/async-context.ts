// Every test runs in an AsyncLocalStorage context, so that the plugin knows which test the
// code reaching for a database runs for. Node 20 and 22 run AsyncLocalStorage on promise
// hooks, which tax every promise the process makes (~0.5 us each: +0.2 ms for a test that
// awaits a few hundred times, database or not); Node 24 runs it on AsyncContextFrame, which
// costs a promise nothing. Node 22.7 has AsyncContextFrame too, behind a flag.

/** The flag that gives Node 22 the AsyncLocalStorage of Node 24. */
export const asyncContextFrameFlag = '--experimental-async-context-frame'

/** The part of Vitest's `test` config this reads and sets. */
interface WorkerConfig {
  pool?: unknown
  execArgv?: string[]
}

/** Whether this Node has AsyncContextFrame behind the flag only: 22.7 and later 22s, and 23 (24 has it by default). */
function frameBehindFlag(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return (major === 22 && minor >= 7) || major === 23
}

/**
 * Gives the test workers AsyncContextFrame where Node has it behind a flag: when Vitest
 * starts them as child processes of this Node (the `forks` pool, Vitest's default, or
 * `vmForks`), and the project did not set `execArgv` itself (setting it, even to `[]`,
 * leaves the workers as they are). The thread pools are left alone: their workers share this
 * process's flags, which Vitest's config cannot change. (A `--pool` given on the command line
 * is not seen here; the flag is harmless there.)
 */
export function useAsyncContextFrame(test: WorkerConfig, version?: string): void {
  if (test.execArgv !== undefined || !frameBehindFlag(version)) return
  const pool = test.pool ?? 'forks'
  if (pool !== 'forks' && pool !== 'vmForks') return
  test.execArgv = [asyncContextFrameFlag]
}
