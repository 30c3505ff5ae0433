import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const verboseLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

/** A run that fails at its start: the error Vitest's start-up rejects with (the run never returns its tests). */
async function startupError(env: Record<string, string>): Promise<unknown> {
  return runFixture('libsql-migrations-app', { env }).then(
    (run) => run.tests,
    (error: unknown) => error,
  )
}

test("a libSQL app's template is built once, in the main process, by libSQL: drizzle-kit's turso migrations and the app's own TypeScript migrations, ALTER COLUMN included", async () => {
  const scratch = makeScratch()
  const log = path.join(scratch, 'verbose.log')
  const run = await runFixture('libsql-migrations-app', { scratch, env: { SQLITE_FIXTURES_VERBOSE: log } })
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state === 'failed')).toEqual([])
  expect(run.tests.filter((t) => t.state === 'passed')).toHaveLength(4)
  // One build, by this process (Vitest's main process runs in the test's own): no worker builds or migrates.
  const builds = verboseLines(log).filter((line) => line.includes('template built'))
  expect(builds).toEqual([expect.stringMatching(new RegExp(`^\\[sqlite-fixtures ${process.pid}\\] template built: .* \\(2 steps, `))])
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('a template only libSQL can read is served to testLibsqlClient() alone; ctx.db refuses, saying why', async () => {
  const run = await runFixture('libsql-migrations-app', { env: { LIBSQL_ONLY: '1' }, files: ['tests/libsql-only.test.ts'] })
  expect(run.tests.map((t) => [t.state, t.errors])).toEqual([['passed', []]])
})

test('a broken turso migration fails the run once, at its start, naming the migration file and statement: no test runs', async () => {
  const failure = await startupError({ LIBSQL_BROKEN: '1' })
  expect(failure).toMatchObject({ name: 'SchemaError', code: 'SQLITE_FIXTURES_SCHEMA' })
  expect((failure as Error).message).toContain('Drizzle migration 0001_member_role failed while building the template with libSQL, at ')
  expect((failure as Error).message).toContain('drizzle-broken/0001_member_role.sql:1: no such column')
  expect((failure as Error).message).toContain('in statement: ALTER TABLE `members` ALTER COLUMN "rank" TO "rank" text NOT NULL')
  expect((failure as Error).message).toContain('Fix the migration (or generate it again with drizzle-kit)')
})

test("turso migrations built by better-sqlite3 fail with advice for the dialect: build the template with libSQL, not generate them again", async () => {
  const failure = await startupError({ LIBSQL_TEMPLATE_DRIVER: 'better-sqlite3' })
  expect((failure as Error).message).toContain('in statement: ALTER TABLE `members` ALTER COLUMN "role" TO "role"')
  expect((failure as Error).message).toContain("build the template with libSQL, option driver: 'libsql'")
  expect((failure as Error).message).not.toContain('generate it again')
})

test("Jest: the global setup builds the libSQL template once; a broken migration fails the run at its start, and no test runs", async () => {
  const run = await runJest('jest-libsql-migrations')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => t.state)).toEqual(['passed', 'passed', 'passed'])

  const scratch = makeScratch()
  const jest = path.join(repoRoot, 'node_modules/jest/bin/jest.js')
  const config = path.join(repoRoot, 'fixtures/jest-libsql-migrations/jest.config.cjs')
  const failure = await promisify(execFile)(process.execPath, [jest, '--config', config, '--ci', `--cacheDirectory=${path.join(scratch, 'jest-cache')}`], {
    cwd: repoRoot,
    env: { ...process.env, TMPDIR: path.join(scratch, 'tmp'), SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'cache'), LIBSQL_BROKEN: '1' },
  }).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  )
  expect(failure?.code).toBe(1)
  expect(failure?.stderr.match(/Drizzle migration 0001_member_role failed while building the template with libSQL/g)).toHaveLength(1)
  expect(failure?.stderr).not.toMatch(/Tests:/)
})
