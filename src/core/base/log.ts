import fs from 'node:fs'

/**
 * Verbose mode: `SQLITE_FIXTURES_VERBOSE=1` logs template builds, cache hits and each
 * test's database to stderr; a path instead of `1` appends the lines to that file.
 */
const isOn = (target: string | undefined): target is string => target !== undefined && target !== '' && target !== '0'

/** Read once, for the per-test checks; `verbose()` itself reads the env on each call, for a long-lived main process. */
export const verboseEnabled = isOn(process.env.SQLITE_FIXTURES_VERBOSE)

export function verbose(message: string): void {
  const target = process.env.SQLITE_FIXTURES_VERBOSE
  if (!isOn(target)) return
  const line = `[sqlite-fixtures ${process.pid}] ${message}\n`
  if (target === '1' || target === 'true') process.stderr.write(line)
  else fs.appendFileSync(target, line)
}
