import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from './run-vitest.js'

const run = promisify(execFile)
const cli = path.join(repoRoot, 'dist/cli.mjs')

/** Runs `sqlite-fixtures <args>` as npx would, with the scratch cache dir. */
export function sqliteFixturesCli(args: string[], cacheDir: string, env: Record<string, string> = {}) {
  return run(process.execPath, [cli, ...args], { cwd: repoRoot, env: { ...process.env, SQLITE_FIXTURES_CACHE_DIR: cacheDir, ...env } })
}

/** The verbose log's lines about templates (not the per-test lines, whose test names may say "template"). */
export function templateLines(log: string): string[] {
  return fs.readFileSync(log, 'utf8').split('\n').filter((line) => /^\[sqlite-fixtures \d+\] template /.test(line))
}
