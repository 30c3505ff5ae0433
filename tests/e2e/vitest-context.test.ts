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

// The plugin puts its layers on each test's context as Vitest makes it (through the runner's
// extendTaskContext), and, where a runner makes its contexts otherwise, as each test starts.
test.each([
  ["Vitest's runner", {}, "Vitest's runner"],
  ['a runner of the project that makes its own contexts', { runner: './custom-runner.ts' }, 'custom runner'],
])('%s: every test context reads its own test layers, and a context whose test ended is refused', async (_, config, madeBy) => {
  const run = await runFixture('basic', { files: ['tests/context-reads.test.ts', 'tests/context-with-hooks.test.ts'], config })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state]).sort()).toEqual(
    [
      ["a test of Vitest's own reads ctx.db, the running test's database", 'passed'],
      ['the next test gets its own, and a read of the last test context is refused', 'passed'],
      ['a retried test reads a fresh database on each attempt', 'passed'],
      ['context mode and the hooks share one database per test', 'passed'],
      ['and stay isolated under test.concurrent (1)', 'passed'],
      ['and stay isolated under test.concurrent (2)', 'passed'],
    ].sort(),
  )
  // Vitest keeps the first attempt's failure beside the retry's pass.
  expect(run.test('a retried test reads a fresh database on each attempt').errors[0]).toBe('the first attempt fails')
  expect(run.events).toContain(`context made by ${madeBy}`)
  expect(leftovers(run.tmpDir)).toEqual([])
})
