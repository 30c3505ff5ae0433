import fs from 'node:fs'
import path from 'node:path'

// Deprecation notices: a deprecated call or set-up is seen in a test worker (a setup file runs
// there), and said once per run by the main process, which collects what the workers saw. The
// main process (Vitest's plugin, Jest's global setup) names a file in an env var before any
// worker starts; workers append to it, and the main process prints each notice once.

/** The env var naming the file workers append their notices to, one JSON line each. */
const noticesVariable = 'SQLITE_FIXTURES_NOTICES'

interface Notice {
  /** What the notice is about: the same id is said once. */
  readonly id: string
  readonly text: string
}

/**
 * The notices this process has passed on already. Jest gives each test file fresh modules and
 * globals; a built-in module is the one object the test files of a worker share, so the set
 * lives on it (under a registered symbol, which every realm of the process resolves alike).
 */
const shared = fs as unknown as Record<symbol, Set<string> | undefined>
const given = (shared[Symbol.for('sqlite-fixtures.notices-given')] ??= new Set<string>())

/**
 * Notes a deprecated call or set-up, for the main process to print once per run. With no main
 * process to collect it (Vitest without the plugin, Jest without the global setup), the run's
 * first worker prints it (every worker sees what a setup file does), once.
 */
export function deprecated(id: string, text: string): void {
  if (given.has(id)) return
  given.add(id)
  const file = process.env[noticesVariable]
  if (file) {
    try {
      fs.appendFileSync(file, `${JSON.stringify({ id, text } satisfies Notice)}\n`)
      return
    } catch {
      // The main process is gone, or its cache dir: say it here.
    }
  }
  const worker = process.env.JEST_WORKER_ID ?? process.env.VITEST_POOL_ID
  if (worker === undefined || Number(worker) <= 1) process.stderr.write(`${text}\n`)
}

/**
 * The main process's side: names the file the workers of this run append to (in the cache
 * dir, the plugin's own), and returns what reads it. `take()` gives each notice the workers
 * noted once in the process's life; `close()` removes the file.
 */
export function collectNotices(cacheDir: string): { take(): string[]; close(): void } {
  fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 })
  const file = path.join(cacheDir, `notices-${process.pid}.jsonl`)
  fs.writeFileSync(file, '', { mode: 0o600 })
  process.env[noticesVariable] = file
  const said = new Set<string>()
  return {
    take() {
      let lines: string[]
      try {
        lines = fs.readFileSync(file, 'utf8').split('\n')
      } catch {
        return []
      }
      const texts: string[] = []
      for (const line of lines) {
        if (line === '') continue
        const notice = JSON.parse(line) as Notice
        if (said.has(notice.id)) continue
        said.add(notice.id)
        texts.push(notice.text)
      }
      return texts
    },
    close() {
      if (process.env[noticesVariable] === file) delete process.env[noticesVariable]
      fs.rmSync(file, { force: true })
    },
  }
}
