import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { isAlive } from '../../src/core/base/pid.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

/** After a fault, a later run in the same temp dir sweeps what the dead process left. */
async function expectSweptByLaterRun(scratch: string): Promise<void> {
  const later = await runFixture('faults', { scratch, files: ['tests/later.test.ts'] })
  expect(later.tests.map((t) => t.state)).toEqual(['passed'])
  // Only the plugin's names: Vitest itself may leave files in a TMPDIR it was started with.
  expect(leftovers(later.tmpDir).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
}

test('a worker killed mid-test is reported, and its database file is swept by the next run', async () => {
  const scratch = makeScratch()
  const run = await runFixture('faults', { scratch, files: ['tests/killed.test.ts'] })
  expect(run.errors.join('\n')).toMatch(/Worker exited unexpectedly|Worker forks emitted error/)
  // The run's dir (made by Vitest's main process, this one), the killed worker's dir in it, and its database.
  expect(leftovers(run.tmpDir).sort()).toEqual([
    expect.stringMatching(new RegExp(`^sqlite-fixtures-${process.pid}-\\w{12}$`)),
    expect.stringMatching(/^sqlite-fixtures-\d+-\w{12}\/\d+-\w{6}$/),
    expect.stringMatching(/^sqlite-fixtures-\d+-\w{12}\/\d+-\w{6}\/1\.sqlite$/),
  ])
  await expectSweptByLaterRun(scratch)
})

test('a test that calls process.exit fails with that message, and its database is removed', async () => {
  const run = await runFixture('faults', { files: ['tests/exits.test.ts'] })
  expect(run.tests.map((t) => [t.state, t.errors[0]])).toEqual([['failed', 'process.exit unexpectedly called with "3"']])
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Ctrl-C during a run: whatever the interrupted worker left is swept by the next run', async () => {
  const scratch = makeScratch()
  const eventLog = path.join(scratch, 'events.log')
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', 'tests/slow.test.ts'], {
    cwd: path.join(repoRoot, 'fixtures/faults'),
    env: { ...process.env, TMPDIR: path.join(scratch, 'tmp'), SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'cache'), SQLITE_FIXTURES_EVENT_LOG: eventLog },
    stdio: 'ignore',
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  for (let i = 0; i < 400 && !fs.existsSync(eventLog); i++) await sleep(50)
  expect(fs.readFileSync(eventLog, 'utf8')).toBe('holding\n')
  // The worker's dir, in the dir of the run that Vitest's main process (the child) made.
  const dirs = () => leftovers(path.join(scratch, 'tmp')).filter((name) => /^sqlite-fixtures-\d+-\w{12}\/\d+-\w{6}$/.test(name))
  expect(dirs()).toHaveLength(1)
  expect(dirs()[0]).toMatch(new RegExp(`^sqlite-fixtures-${child.pid}-`))
  child.kill('SIGINT')
  await exited
  // The interrupted worker dies soon after Vitest; until then its files are rightly its own.
  const worker = Number(/\/(\d+)-\w{6}$/.exec(dirs()[0] ?? '')?.[1])
  for (let i = 0; i < 300 && isAlive(worker); i++) await sleep(50)
  expect(isAlive(worker)).toBe(false)
  await expectSweptByLaterRun(scratch)
})

test('a misspelled tag is an error that lists the tags the plugin declares', async () => {
  const run = await runFixture('faults', { files: ['tests/tag-typo.test.ts'] })
  const reported = [...run.errors, ...run.tests.flatMap((t) => t.errors)].join('\n')
  expect(reported).toMatch(/The tag "nodb" is not defined in the configuration/)
  expect(reported).toMatch(/no-db: sqlite-fixtures: this test gets no database\./)
})
