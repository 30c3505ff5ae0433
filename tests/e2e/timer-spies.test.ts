import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, runFixture, type InnerRun } from '../support/run-vitest.js'

// The plugin makes the timer globals accessors, so that a fake clock's callbacks run as the
// test that scheduled them. A spy on them, an assignment, a fake clock's install, a restore,
// and code that saves the globals and assigns them back (Vitest's RPC, around each message)
// must end as they do without the plugin: each sample test ends the same way in both runs.

const outcomes = (run: InnerRun) => run.tests.map((t) => [t.name, t.state, t.errors[0] ?? '']).sort()

test.each([
  ['Vitest', (env: Record<string, string>) => runFixture('timer-spies', { env })],
  ['Jest', (env: Record<string, string>) => runJest('jest-timer-spies', { env })],
])('%s: spies on the timer globals end as they do without the plugin', async (_, run) => {
  const without = await run({ SAMPLE_NO_PLUGIN: '1' })
  const withPlugin = await run({ SAMPLE_NO_PLUGIN: '' })
  expect(without.tests.length).toBeGreaterThan(5)
  expect(without.tests.filter((t) => t.state !== 'passed').map((t) => t.name)).toEqual([])
  expect(outcomes(withPlugin)).toEqual(outcomes(without))
  // What the globals answered at each step, where a sample notes it (Vitest's displaced.test.ts).
  expect(withPlugin.logs.sort()).toEqual(without.logs.sort())
  expect(leftovers(withPlugin.tmpDir)).toEqual([])
})
