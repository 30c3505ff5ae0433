import fs from 'node:fs'

/**
 * Verbose mode: `SQLITE_FIXTURES_VERBOSE=1` logs template builds, cache hits and each
 * test's database to stderr; a path instead of `1` appends the lines to that file.
 */
const target = process.env.SQLITE_FIXTURES_VERBOSE

export const verboseEnabled = target !== undefined && target !== '' && target !== '0'

export function verbose(message: string): void {
  if (!verboseEnabled) return
  const line = `[sqlite-fixtures ${process.pid}] ${message}\n`
  if (target === '1' || target === 'true') process.stderr.write(line)
  else fs.appendFileSync(target as string, line)
}
