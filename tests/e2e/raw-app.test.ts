import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

// isolate: false runs the setup file again for each test file in one process, where the
// handle (and the connection set-up made on it) lives on.
test.each([true, false])("a raw better-sqlite3 app's own db module follows each test through the setup file's mock, and its file is never opened (isolate: %s)", async (isolate) => {
  const scratch = makeScratch()
  const appDb = path.join(scratch, 'app.db')
  const run = await runFixture('raw-app', { scratch, env: { APP_DB: appDb }, config: { isolate } })
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.map((t) => t.name).sort()).toEqual(
    [
      ...['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus', 'Radia'].map((name) => `concurrent raw test ${name}`),
      'app code on its own db module runs on each test database > a test registers a customer and places an order',
      'app code on its own db module runs on each test database > the next test starts clean',
      "the connection's set-up, made on the handle, holds on each test database",
      'foreign keys are enforced on the app database',
      'a transaction made at import time commits or rolls back on the test database',
      "closing the app's database, as an outage would > closes the running test's database: the health check answers 503",
      "closing the app's database, as an outage would > touches no other test: the next one starts open and clean",
    ].sort(),
  )
  // The production database was never opened: not where APP_DB points, nor at its default.
  expect(fs.existsSync(appDb)).toBe(false)
  for (const dir of [repoRoot, path.join(repoRoot, 'fixtures/raw-app')]) {
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('app.db'))).toEqual([])
  }
  expect(leftovers(run.tmpDir)).toEqual([])
})
