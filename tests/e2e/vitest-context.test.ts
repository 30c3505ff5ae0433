import { expect, test } from 'vitest'
import { leftovers, runFixture } from '../support/run-vitest.js'

test('context mode: fixtures built only when destructured, user layers, overrides, concurrency, block data from deriveTemplate()', async () => {
  const run = await runFixture('context-mode')
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed')).toEqual([])
  expect(run.tests).toHaveLength(13)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('context mode beside the auto hooks: one scope per test, shared', async () => {
  const run = await runFixture('basic', { files: ['tests/context-with-hooks.test.ts'] })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual([
    ['context mode and the hooks share one database per test', 'passed', []],
    ['and stay isolated under test.concurrent (1)', 'passed', []],
    ['and stay isolated under test.concurrent (2)', 'passed', []],
  ])
  expect(run.events).toEqual([
    'setup probe context mode and the hooks share one database per test',
    'teardown probe context mode and the hooks share one database per test',
  ])
})
