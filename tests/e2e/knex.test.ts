import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { sqliteFixturesCli, templateLines } from '../support/build-command.js'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/knex-app')
/** Where the app's `knex({ connection: { filename: process.env.APP_DB ?? 'app.db' } })` would create its file. */
const appFiles = [path.join(project, 'app.db'), path.join(repoRoot, 'app.db')]
const concurrent = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus', 'Radia']
const failing = 'fails on purpose: its report shows the statements Knex ran'

describe("an app on Knex, through testKnex() on the app's own instance", () => {
  test('after `sqlite-fixtures build` (Knex migrations and seeds, on each client), both clients run on a fresh database per test, and no worker migrates', { timeout: 180_000 }, async () => {
    const scratch = makeScratch()
    const cacheDir = path.join(scratch, 'cache')
    const { stdout } = await sqliteFixturesCli(['build', '--root', 'fixtures/knex-app'], cacheDir)
    for (const client of ['better-sqlite3', 'sqlite3']) expect(stdout).toMatch(new RegExp(`template of project "${client}": .*\\n.*\\n.*built from knex migrations \\(3\\), knex seeds \\(1\\)`))

    const runLog = path.join(scratch, 'run.log')
    const run = await runFixture('knex-app', { scratch, env: { SQLITE_FIXTURES_VERBOSE: runLog } })
    // One line per project about its template, the main process's: the workers were handed them.
    expect(templateLines(runLog)).toEqual([expect.stringContaining(`[sqlite-fixtures ${process.pid}] template cache hit, inputs unchanged: `), expect.stringContaining(`[sqlite-fixtures ${process.pid}] template cache hit, inputs unchanged: `)])
    expect(run.tests.filter((t) => t.state !== 'passed' && t.name !== failing).map((t) => [t.name, t.errors])).toEqual([])
    const names = [
      "app code on its own Knex runs on each test's database > a test opens an account in a transaction",
      "app code on its own Knex runs on each test's database > the next test starts clean, from the migrated and seeded template",
      "ctx.knex, ctx.db and the app's Knex see the same database",
      'a foreign key error, and a failed transaction rolled back, leave nothing behind',
      'the template holds the knex_migrations rows Knex wrote',
      'values, errors and rolled-back transactions come back as Knex on the real client returns them on a plain file',
      "destroying the app's Knex is an outage for the test that did it, and no other > the health check answers 503 once the test destroys the Knex",
      "destroying the app's Knex is an outage for the test that did it, and no other > the next test has a working Knex again",
      'a test tagged no-db has no database, and Knex says so',
      ...concurrent.map((name) => `concurrent Knex test ${name}`),
      "a describe block's beforeAll writes through the app's Knex > each test starts from the block data",
      "a describe block's beforeAll writes through the app's Knex > and not from what a sibling test wrote",
      'a test outside the block sees none of its data',
      "a data migration, tested with Knex's own migrator: customers made before it get an email",
      'a test leaves a timer that writes through Knex after it ends',
      "the late write is refused, and this test's database is untouched",
      failing,
    ]
    // Each test twice: once per client.
    expect(run.tests.map((t) => t.name).sort()).toEqual([...names, ...names].sort())
    // The failure report lists what Knex ran: better-sqlite3's statements with their values
    // inlined, node-sqlite3's with the values it was given; the plugin's own statements are not in it.
    const reports = run.tests.filter((t) => t.name === failing).map((t) => t.errors.join('\n'))
    expect(reports).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          [
            '    1. PRAGMA foreign_keys = ON',
            '    2. BEGIN;',
            "    3. insert into `customers` (`name`) values ('Ada') returning `id`",
            "    4. insert into `orders` (`customer_id`, `status`, `total_cents`) values (1.0, 'open', 1234.0)",
            '    5. COMMIT;',
          ].join('\n'),
        ),
        expect.stringContaining(
          [
            '    1. PRAGMA foreign_keys = ON',
            '    2. BEGIN;',
            "    3. insert into `customers` (`name`) values (?) returning `id` /* args: 'Ada' */",
            "    4. insert into `orders` (`customer_id`, `status`, `total_cents`) values (?, ?, ?) /* args: 1, 'open', 1234 */",
            '    5. COMMIT;',
          ].join('\n'),
        ),
      ]),
    )
    // The late write is refused on both clients, and reported naming the test that left it running.
    expect(run.errors).toEqual([expect.stringMatching(/test "a test leaves a timer that writes through Knex after it ends" has ended/), expect.stringMatching(/test "a test leaves a timer that writes through Knex after it ends" has ended/)])
    for (const file of appFiles) expect(fs.existsSync(file), file).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])
  })

  test("Jest, on Knex's sqlite3 client: the same app through jest.mock, migrated and seeded in the global setup", async () => {
    const scratch = makeScratch()
    const appDb = path.join(scratch, 'app.db')
    const run = await runJest('jest-knex', { scratch, env: { APP_DB: appDb } })
    expect(run.errors).toEqual([])
    expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
      [
        ...concurrent.slice(0, 5).map((name) => `concurrent Knex test ${name}`),
        'a query at import time was refused, naming testKnex()',
        'a test opens an account in a transaction',
        'the next test starts clean, from the migrated and seeded template',
        "currentLayer('knex'), currentDb() and the app's Knex see the same database",
        'a foreign key error, and a failed transaction rolled back, leave nothing behind',
        'the template holds the knex_migrations rows Knex wrote, from the global setup',
        'destroying the Knex is an outage for this test only',
        'and the next test has a working Knex',
        'deriveTemplate() through the app Knex starts from the block data',
      ].map((name) => [name, 'passed', []]),
    )
    expect(fs.existsSync(appDb)).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})
