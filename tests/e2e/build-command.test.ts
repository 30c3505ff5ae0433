import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'
import { makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const run = promisify(execFile)
const cli = path.join(repoRoot, 'dist/cli.mjs')

/** Runs `sqlite-fixtures <args>` as npx would, with the scratch cache dir. */
function sqliteFixtures(args: string[], cacheDir: string) {
  return run(process.execPath, [cli, ...args], { cwd: repoRoot, env: { ...process.env, SQLITE_FIXTURES_CACHE_DIR: cacheDir } })
}

test('sqlite-fixtures build builds the template from the Vitest config and prints where it is; the run then reuses it', async () => {
  const scratch = makeScratch()
  const cacheDir = path.join(scratch, 'cache')
  const { stdout } = await sqliteFixtures(['build', '--root', 'fixtures/basic'], cacheDir)
  const file = /template of the project: (\S+)/.exec(stdout)?.[1] as string
  expect(path.dirname(file)).toBe(cacheDir)
  expect(fs.existsSync(file)).toBe(true)
  expect(stdout).toMatch(/key [0-9a-f]{32}, cache dir /)

  const verboseLog = path.join(scratch, 'verbose.log')
  const tests = await runFixture('basic', { scratch, files: ['tests/isolation.test.ts'], env: { SQLITE_FIXTURES_VERBOSE: verboseLog } })
  expect(tests.errors).toEqual([])
  const lines = fs.readFileSync(verboseLog, 'utf8').split('\n').filter((line) => line.includes('template'))
  expect(lines).toEqual([expect.stringContaining(`template cache hit: ${file}`)])
})

test('sqlite-fixtures build names each project of a workspace', async () => {
  const scratch = makeScratch()
  const { stdout } = await sqliteFixtures(['build', '--root', 'fixtures/projects'], path.join(scratch, 'cache'))
  expect(stdout).toMatch(/template of project "shop": /)
  expect(stdout).toMatch(/template of project "billing": /)
})

test('sqlite-fixtures build fails, naming the file and line, when the schema is broken', async () => {
  const scratch = makeScratch()
  const failure = await sqliteFixtures(['build', '--root', 'fixtures/bad-schema'], path.join(scratch, 'cache')).catch((error: { code: number; stderr: string }) => error)
  expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('002_broken.sql:10 failed: no such table: ordres') })
})
