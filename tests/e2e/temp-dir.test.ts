import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify, stripVTControlCharacters } from 'node:util'
import { expect, test } from 'vitest'
import { makeScratch, repoRoot } from '../support/run-vitest.js'

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
