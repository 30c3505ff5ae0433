import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify, stripVTControlCharacters } from 'node:util'
import { expect, test } from 'vitest'
import { leftovers, makeScratch, repoRoot, watchFixture } from '../support/run-vitest.js'

const run = promisify(execFile)

// Tests of this project that make scratch dirs, keep failed tests' databases, run Jest and
// Vitest in both modes, and make the cache's fallback dir in the OS temp dir.
const files = ['tests/e2e/vitest-hooks.test.ts', 'tests/e2e/jest-edges.test.ts', 'tests/unit/template.test.ts']
const names = 'keeps the database of a failed test|falls back to a private dir|each test gets a fresh, seeded database'

test("the project's own tests leave no sqlite-fixtures-* entry in the OS temp dir", async () => {
  // This project's tests, run by a Vitest of their own whose OS temp dir is a private one:
  // tests of other files (and other checkouts) running meanwhile cannot add to it.
  const osTemp = path.join(makeScratch(), 'tmp')
  const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs')
  const { stdout } = await run(process.execPath, [vitest, 'run', ...files, '-t', names], {
    cwd: repoRoot,
    env: { ...process.env, TMPDIR: osTemp },
  })
  expect(stripVTControlCharacters(stdout)).toMatch(/Tests\s+7 passed/)
  expect(fs.readdirSync(osTemp).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})

test('in watch mode, each run sweeps the databases the earlier runs kept for their failed tests', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const kept = () => leftovers(path.join(scratch, 'tmp')).filter((name) => name.endsWith('.sqlite'))
  const session = await watchFixture('sql-log', { scratch, env: { SAMPLE_MODE: 'file', SQLITE_FIXTURES_KEEP: 'failed' } })
  let last: string[]
  try {
    const first = kept()
    expect(first.length).toBeGreaterThan(0)
    await session.rerunAll()
    await session.rerunAll()
    // As many as one run keeps, in new places: the earlier runs' went.
    expect(kept()).toHaveLength(first.length)
    expect(kept().filter((name) => first.includes(name))).toEqual([])
  } finally {
    last = kept()
    await session.close()
  }
  // The last run's stay where its reports said, until the next run.
  expect(kept()).toEqual(last)
})

test('in watch mode, a run asked for while a test runs leaves that test its database', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const session = await watchFixture('rerun-race', { scratch })
  try {
    // As the r key, the UI and editors do: a rerun, then another while its test waits.
    const first = session.rerunAll()
    while (session.events().filter((line) => line.startsWith('started ')).length < 2) await sleep(20)
    const second = session.rerunAll()
    await Promise.all([first, second])
  } finally {
    await session.close()
  }
  expect(session.events().filter((line) => line.startsWith('exists '))).toEqual(['exists true', 'exists true', 'exists true'])
  expect(leftovers(path.join(scratch, 'tmp')).filter((name) => name.startsWith('sqlite-fixtures-'))).toEqual([])
})
