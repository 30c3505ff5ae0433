import fs from 'node:fs'
import { expect, test } from 'vitest'
import { runFixture } from '../support/run-vitest.js'

test('in a workspace of two projects with two schemas, each project gets its own template', async () => {
  const run = await runFixture('projects')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors]).sort()).toEqual([
    ['the billing project gets the template of its own schema', 'passed', []],
    ['the shop project gets the template of its own schema', 'passed', []],
  ])
  expect(fs.readdirSync(run.cacheDir).filter((name) => name.endsWith('.sqlite'))).toHaveLength(2)
})
