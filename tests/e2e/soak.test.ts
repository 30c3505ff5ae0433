import { expect, test } from 'vitest'
import { leftovers, runFixture } from '../support/run-vitest.js'

interface Growth {
  file: string
  tests: number
  fds: number
  heapBytes: number
  rssBytes: number
}

// 10,000 tests in 4 files on 2 workers, each writing a row to its own database. Resources
// are sampled (after a full GC) at test 200 and at the last test of each file. RSS is
// reported, not asserted: the allocator makes it too noisy to bound per test.
test.each(['file', 'memory'] as const)('a soak of 10,000 tests (%s mode) leaves no file and grows no descriptor', async (mode) => {
  const run = await runFixture('soak', { env: { SAMPLE_MODE: mode } })
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed')).toEqual([])
  expect(run.tests).toHaveLength(10_000)
  expect(leftovers(run.tmpDir)).toEqual([])
  const growth = run.events.map((line) => JSON.parse(line) as Growth)
  expect(growth).toHaveLength(4)
  for (const file of growth) {
    expect(file.fds).toBe(0)
    // Vitest itself keeps ~2.5 KB per test (its task and result objects); a leaked
    // connection or clone would add far more than this bound.
    expect(file.heapBytes / file.tests).toBeLessThan(4_096)
  }
  const perTest = (key: 'heapBytes' | 'rssBytes') =>
    Math.round(growth.reduce((sum, file) => sum + file[key], 0) / growth.reduce((sum, file) => sum + file.tests, 0))
  console.log(`soak (${mode} mode): heap +${perTest('heapBytes')} B/test, rss +${perTest('rssBytes')} B/test, fds +0`)
})
