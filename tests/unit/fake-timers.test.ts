import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { pruneTemplates } from '../../src/core/template/cache.js'
import { withLock } from '../../src/core/template/lock.js'

// The plugin is loaded before a project's setup file fakes time; here the modules above are
// loaded before vi.useFakeTimers() runs, as in a project.
let dir: string

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-clock-'))
  vi.useFakeTimers({ now: new Date('2025-06-01T00:00:00Z') })
})

afterEach(() => {
  vi.useRealTimers()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a lock held by a live process is waited for on the real clock, not a frozen one', async () => {
  const lockFile = path.join(dir, 'template-x.lock')
  // Held by this very process, which stays alive: only the deadline ends the wait.
  fs.writeFileSync(lockFile, String(process.pid))
  const started = performance.now()
  await expect(withLock(lockFile, () => undefined, async () => 'built anyway', 150)).resolves.toBe('built anyway')
  expect(fs.existsSync(lockFile)).toBe(true)
  // The faked performance.now() has not moved: the wait was timed by the real one.
  expect(performance.now()).toBe(started)
})

test('cache pruning compares file times with the real time', () => {
  // Date.now() is frozen in 2025 here; the files are from today, two hours ago.
  const real = vi.getRealSystemTime()
  for (let i = 0; i < 22; i++) {
    const file = path.join(dir, `template-k${i}-${String(i).padStart(16, '0')}.sqlite`)
    fs.writeFileSync(file, '')
    const time = (real - 2 * 3_600_000) / 1000 - i
    fs.utimesSync(file, time, time)
  }
  pruneTemplates(dir)
  // The 20 most recently used are kept; the two oldest, unused for two hours, are removed.
  expect(fs.readdirSync(dir).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `template-k${i}-${String(i).padStart(16, '0')}.sqlite`).sort())
})
