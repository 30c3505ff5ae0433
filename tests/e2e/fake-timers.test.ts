import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { makeScratch, runFixture } from '../support/run-vitest.js'

test('a setup file with vi.useFakeTimers(): the worker builds, times and prunes on the real clock', async () => {
  const scratch = makeScratch()
  const log = path.join(scratch, 'verbose.log')
  // A first run builds the plugin's template, so the second run's main process finds it and
  // prunes nothing: the worker, under faked time, is the one that builds and prunes.
  const first = await runFixture('fake-timers', { scratch, env: { RUN_ID: '1' } })
  expect(first.tests.map((t) => t.state)).toEqual(['passed'])
  const cacheDir = first.cacheDir
  const real = Date.now()
  for (let i = 0; i < 22; i++) {
    const file = path.join(cacheDir, `template-unused${i}-${String(i).padStart(16, '0')}.sqlite`)
    fs.writeFileSync(file, '')
    // Unused for two hours, by the real clock; Date.now() in the worker says 2025.
    const time = (real - 2 * 3_600_000) / 1000 - i
    fs.utimesSync(file, time, time)
  }
  const before = fs.readdirSync(cacheDir).filter((name) => name.endsWith('.sqlite')).length
  const second = await runFixture('fake-timers', { scratch, env: { RUN_ID: '2', SQLITE_FIXTURES_VERBOSE: log } })
  expect(second.tests.map((t) => [t.state, t.errors])).toEqual([['passed', []]])
  const lines = fs.readFileSync(log, 'utf8').split('\n')
  // The seed takes 50 real ms: a frozen clock would say 0 ms.
  const built = lines.map((line) => /template built: .* \(\d+ steps, (\d+) ms\)/.exec(line)?.[1]).filter((ms) => ms !== undefined)
  expect(built.map(Number)).toEqual([expect.any(Number)])
  expect(Number(built[0])).toBeGreaterThanOrEqual(45)
  // The cache keeps the 20 most recently used templates: the worker pruned the oldest unused ones.
  const templates = fs.readdirSync(cacheDir).filter((name) => name.endsWith('.sqlite'))
  expect(templates).toHaveLength(20)
  expect(lines.filter((line) => line.includes('pruned an unused template'))).toHaveLength(before + 1 - 20)
})
