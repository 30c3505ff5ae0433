import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { sqliteFixturesCli as sqliteFixtures, templateLines } from '../support/build-command.js'
import { makeScratch, runFixture } from '../support/run-vitest.js'

test('sqlite-fixtures build builds the template from the Vitest config and prints where it is; the run then reuses it', async () => {
  const scratch = makeScratch()
  const cacheDir = path.join(scratch, 'cache')
  const { stdout } = await sqliteFixtures(['build', '--root', 'fixtures/basic'], cacheDir)
  const file = /template of the project: (\S+)/.exec(stdout)?.[1] as string
  expect(path.dirname(file)).toBe(cacheDir)
  expect(fs.existsSync(file)).toBe(true)
  expect(stdout).toMatch(/key [0-9a-f]{32}, cache dir /)

  expect(stdout).toContain('built from schema.sql, seed.sql')

  const verboseLog = path.join(scratch, 'verbose.log')
  const tests = await runFixture('basic', { scratch, files: ['tests/isolation.test.ts'], env: { SQLITE_FIXTURES_VERBOSE: verboseLog } })
  expect(tests.errors).toEqual([])
  // The main process (this one) vouched for it by its inputs' stats; no worker looked.
  expect(templateLines(verboseLog)).toEqual([`[sqlite-fixtures ${process.pid}] template cache hit, inputs unchanged: ${file}`])
})

test.each([
  ['kysely-app', 'kysely migrations in migrations (3)'],
  ['drizzle-app', 'drizzle migrations in drizzle (3)'],
  ['prisma-app', 'prisma migration 20250110093000_init, prisma migration 20250301120000_points_status_readings'],
])('%s: sqlite-fixtures build applies the ORM migrations; the test run after it applies none, in no worker', async (sample, steps) => {
  const scratch = makeScratch()
  const cacheDir = path.join(scratch, 'cache')
  const buildLog = path.join(scratch, 'build.log')
  const { stdout } = await sqliteFixtures(['build', '--root', `fixtures/${sample}`], cacheDir, { SQLITE_FIXTURES_VERBOSE: buildLog })
  const file = /template of the project: (\S+)/.exec(stdout)?.[1] as string
  expect(stdout).toContain(`built from ${steps}`)
  expect(templateLines(buildLog)).toEqual([expect.stringMatching(new RegExp(`template built: ${file} \\(\\d+ steps, \\d+ ms\\)$`))])

  const runLog = path.join(scratch, 'run.log')
  const tests = await runFixture(sample, { scratch, env: { SQLITE_FIXTURES_VERBOSE: runLog } })
  expect(tests.errors).toEqual([])
  expect(tests.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  // One line about the template in the whole run: the main process's, which read no migration.
  // The workers (other pids) were handed it: none built, hashed or looked it up.
  expect(templateLines(runLog)).toEqual([`[sqlite-fixtures ${process.pid}] template cache hit, inputs unchanged: ${file}`])
  expect(fs.readdirSync(cacheDir).filter((name) => name.endsWith('.sqlite'))).toEqual([path.basename(file)])
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
