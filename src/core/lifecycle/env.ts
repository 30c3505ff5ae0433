import { SqliteFixturesError } from '../base/index.js'

/** Which test holds each env var now; the env is one per process, so this is too. */
const holders = new Map<string, { test: string; previous: string | undefined }>()

/**
 * Points `process.env[name]` at a test's database file until the returned function is
 * called, which restores the previous value. When tests overlap in one process the env
 * var cannot serve both, so the second one is refused with an error that says why.
 */
export function bindEnv(name: string, value: string, test: string): () => void {
  const holder = holders.get(name)
  if (holder) {
    throw new SqliteFixturesError(
      `sqlite-fixtures: tests "${holder.test}" and "${test}" run at the same time in one process, ` +
        `and process.env.${name} can point at only one of their databases. Run them one at a time ` +
        '(drop .concurrent), or set the option env: false and pass ctx.db (or currentDb()) to the code under test.',
      'SQLITE_FIXTURES_ENV_CONFLICT',
    )
  }
  holders.set(name, { test, previous: process.env[name] })
  process.env[name] = value
  return () => {
    const { previous } = holders.get(name) ?? { previous: undefined }
    holders.delete(name)
    if (previous === undefined) delete process.env[name]
    else process.env[name] = previous
  }
}
