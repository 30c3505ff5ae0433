import { expect, test } from 'vitest'
import { leftovers, runFixture } from '../support/run-vitest.js'

test("the demo passes: the app's own db module on a fresh database per test, foreign keys, opt-out", async () => {
  const run = await runFixture('demo')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    ['every test gets its own database, migrated and seeded > app code writes an order to the test database', 'passed'],
    ['every test gets its own database, migrated and seeded > the next test does not see it', 'passed'],
    ['foreign keys are enforced: an order needs a customer', 'passed'],
    ['a test that needs no database opts out', 'passed'],
  ])
  expect(leftovers(run.tmpDir)).toEqual([])
})
