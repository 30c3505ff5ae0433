import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { leftovers, makeScratch, runFixture } from '../support/run-vitest.js'

test("the broker in auto and context mode: the app's own broker follows each test, outbox, drain, dead letters, isolation, layer order", async () => {
  const scratch = makeScratch()
  const verboseLog = path.join(scratch, 'verbose.log')
  const run = await runFixture('broker', { scratch, env: { SQLITE_FIXTURES_VERBOSE: verboseLog } })
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors]).sort()).toEqual([
    ['placing an order publishes its event in the same database', 'passed', []],
    ['a failed order publishes nothing: the event rolls back with it', 'passed', []],
    ['the next test starts with no messages', 'passed', []],
    ["the app's broker is the test's broker: one table, one clock, one set of handlers", 'passed', []],
    ['concurrent test a has its own broker', 'passed', []],
    ['concurrent test b has its own broker', 'passed', []],
    ['context mode: the broker fixture sits on the test database', 'passed', []],
    ["the app's consumer, subscribed when its module loaded, handles this test's messages", 'passed', []],
    ['and those of the next test, on its own database', 'passed', []],
    ["a test may replace the app's consumer with its own", 'passed', []],
  ].sort())
  expect(leftovers(run.tmpDir)).toEqual([])

  // Per test: db before broker, broker torn down before db.
  const lines = fs.readFileSync(verboseLog, 'utf8').split('\n')
  const layerEvents = (name: string) =>
    lines.filter((line) => line.endsWith(`for "${name}"`)).map((line) => /\] (\w+ \w+) for/.exec(line)?.[1])
  for (const name of ['the next test starts with no messages', 'context mode: the broker fixture sits on the test database']) {
    expect(layerEvents(name)).toEqual(['setup db', 'setup broker', 'teardown broker', 'teardown db'])
  }
})
