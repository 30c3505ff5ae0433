import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch } from '../support/run-vitest.js'

describe.each(['memory', 'file'] as const)('Jest, keep: failed (%s mode)', (mode) => {
  test('keeps the database of a failed test, with its rows, and deletes the passing one', async () => {
    const run = await runJest('jest-edges', { args: ['keep'], env: { SAMPLE_MODE: mode, SQLITE_FIXTURES_KEEP: 'failed' } })
    expect(run.tests.map((t) => [t.name, t.state])).toEqual([
      ['fails after writing a row', 'failed'],
      ['passes after writing a row', 'passed'],
    ])
    const kept = leftovers(run.tmpDir).filter((name) => name.endsWith('.sqlite'))
    expect(kept).toHaveLength(1)
    const db = new Database(path.join(run.tmpDir, kept[0] as string), { readonly: true })
    expect(db.prepare('select note from orders').pluck().all()).toEqual(['kept'])
    db.close()
  })
})

test('Jest: a template build that outlasts the first hook timeout fails that test only', async () => {
  const scratch = makeScratch()
  const run = await runJest('jest-edges', {
    scratch,
    args: ['slow-template', '--testTimeout=500'],
    env: { SAMPLE_SEED_GATE: path.join(scratch, 'seed-gate') },
  })
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ['its hook times out while the template builds', 'failed'],
    ['[no-db] opens the gate', 'passed'],
    ['the next test gets its own database, not the timed-out one', 'passed'],
  ])
  expect(run.test('its hook times out while the template builds').errors[0]).toMatch(/Exceeded timeout of 500 ms for a hook/)
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('Jest: a top-level afterEach runs after the database is gone, and the error says why, failing the test even where the hook caught it', async () => {
  const run = await runJest('jest-edges', { args: ['hook-order'] })
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([['inside a describe block uses the database', 'failed']])
  expect(run.tests[0]?.errors.join('\n')).toMatch(/this hook runs while its test has no database/)
  expect(run.events[0]).toBe('describe afterEach: has a database')
  expect(run.events[1]).toMatch(/^top-level afterEach: sqlite-fixtures: this hook runs while its test has no database\. Jest runs the hooks of one level in the order they were declared/)
  expect(run.events[1]).not.toMatch(/concurrent/)
  expect(run.events).toHaveLength(2)
})

test("Jest: node-sqlite3's handle in a top-level afterEach gets the same reason, and the test fails even though the hook only logged its callback's error", async () => {
  const run = await runJest('jest-edges', { args: ['node-sqlite3-hooks'] })
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([['inside a describe block writes through node-sqlite3', 'failed']])
  expect(run.tests[0]?.errors.join('\n')).toMatch(/this hook runs while its test has no database/)
  expect(run.events).toHaveLength(1)
  expect(run.events[0]).toMatch(/^top-level afterEach run: sqlite-fixtures: this hook runs while its test has no database\. Jest runs the hooks of one level/)
})

test('Jest: only the first comment of a file is its docblock', async () => {
  const run = await runJest('jest-edges', { args: ['docblock-mention'] })
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ['a later comment that mentions the pragma does not opt the file out', 'passed'],
  ])
})
