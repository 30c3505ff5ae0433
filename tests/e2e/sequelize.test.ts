import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { sqliteFixturesCli, templateLines } from '../support/build-command.js'
import { runJest } from '../support/run-jest.js'
import { leftovers, makeScratch, probeLoads, repoRoot, runFixture } from '../support/run-vitest.js'

const project = path.join(repoRoot, 'fixtures/sequelize-app')
const concurrent = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus', 'Radia']
const failing = 'fails on purpose: its report shows the statements Sequelize ran'

describe("apps on Sequelize, through sequelizeLayer() on the app's own instance", () => {
  test('after `sqlite-fixtures build`, an app on migrations and seeders and a NestJS-style app on sync() run on a fresh database per test', { timeout: 180_000 }, async () => {
    const scratch = makeScratch()
    const cacheDir = path.join(scratch, 'cache')
    const { stdout } = await sqliteFixturesCli(['build', '--root', 'fixtures/sequelize-app'], cacheDir)
    expect(stdout).toMatch(/template of project "sequelize": .*\n.*\n.*built from sequelize migrations \(3\), sequelize seeders \(1\)/)

    const runLog = path.join(scratch, 'run.log')
    const run = await runFixture('sequelize-app', { scratch, env: { SQLITE_FIXTURES_VERBOSE: runLog } })
    // The main process found both projects' templates as built; no worker migrated. The
    // models' sync() is code: the one worker of that project runs it, once, on the handed-over template.
    const hit = `[sqlite-fixtures ${process.pid}] template cache hit, inputs unchanged: `
    expect(templateLines(runLog)).toEqual([
      expect.stringContaining(hit),
      expect.stringContaining(hit),
      expect.stringMatching(/^\[sqlite-fixtures (?!${process.pid}\])\d+\] template built: .* \(1 steps, \d+ ms\)$/),
    ])
    expect(run.tests.filter((t) => t.state !== 'passed' && t.name !== failing).map((t) => [t.name, t.errors])).toEqual([])
    expect(run.tests.map((t) => t.name).sort()).toEqual(
      [
        "app code on its own Sequelize runs on each test's database > a test opens an account in a managed transaction",
        "app code on its own Sequelize runs on each test's database > the next test starts clean, from the migrated and seeded template",
        "ctx.sequelize is the app's Sequelize, and ctx.db sees what it wrote",
        'a foreign key error, and a failed transaction rolled back, leave nothing behind',
        'the template holds the SequelizeMeta rows sequelize-cli writes',
        'values, errors and rolled-back transactions come back as Sequelize on node-sqlite3 returns them on a plain file',
        "closing the app's Sequelize is an outage for the test that closed it, and no other > the health check answers 503 once the test closes the Sequelize",
        "closing the app's Sequelize is an outage for the test that closed it, and no other > the next test has a working Sequelize again",
        'a test tagged no-db has no database, and Sequelize says so',
        ...concurrent.map((name) => `concurrent Sequelize test ${name}`),
        ...concurrent.slice(0, 5).map((name) => `with CLS, ${name}'s managed transactions commit and roll back on their own test's database`),
        "a describe block's beforeAll writes through the app's Sequelize > each test starts from the block data",
        "a describe block's beforeAll writes through the app's Sequelize > and not from what a sibling test wrote",
        'a test outside the block sees none of its data',
        'a data migration, tested step by step: customers made before it get an email',
        'a test leaves a timer that writes through Sequelize after it ends',
        "the late write is refused, and this test's database is untouched",
        failing,
        'the tables come from the models, made by sync() once, on the template',
        'app code writing on a timer while sync() built the template wrote nothing into it',
        'a foreign key error comes back as Sequelize reports it',
        ...concurrent.map((name) => `concurrent sequelize-typescript test ${name}`),
      ].sort(),
    )
    // The failure report lists what Sequelize ran on node-sqlite3, with the values it bound.
    expect(run.test(failing).errors.join('\n')).toContain(
      [
        '    1. PRAGMA FOREIGN_KEYS=ON',
        '    2. BEGIN DEFERRED TRANSACTION;',
        "    3. INSERT INTO `Customers` (`id`,`name`,`vip`) VALUES (NULL,$1,$2); /* args: $1 = 'Ada', $2 = 0 */",
        '    4. INSERT INTO `Orders` (`id`,`customerId`,`totalCents`) VALUES (NULL,$1,$2); /* args: $1 = 2, $2 = 1234 */',
        '    5. COMMIT;',
      ].join('\n'),
    )
    expect(run.errors).toEqual([expect.stringMatching(/test "a test leaves a timer that writes through Sequelize after it ends" has ended/)])
    // Neither app's database file was ever made.
    for (const file of [path.join(project, 'typescript/data'), path.join(repoRoot, 'data')]) expect(fs.existsSync(file), file).toBe(false)
    expect(leftovers(run.tmpDir)).toEqual([])

    // Again, on the same cache: the sync() template is found there, and it holds no row the
    // app's timer wrote while it was built either.
    const againLog = path.join(scratch, 'again.log')
    const again = await runFixture('sequelize-app', { scratch, files: ['typescript/tests/nest.test.ts'], env: { SQLITE_FIXTURES_VERBOSE: againLog } })
    expect(templateLines(againLog).filter((line) => line.includes('template built'))).toEqual([])
    expect(again.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
    expect(again.test('app code writing on a timer while sync() built the template wrote nothing into it').state).toBe('passed')
  })

  test('Jest: the same app, its migrations and seeders run in the global setup', async () => {
    const scratch = makeScratch()
    const probe = probeLoads(scratch)
    // Two workers, on any machine (on 2 cores Jest would run the files in its own process).
    const run = await runJest('jest-sequelize', { scratch, args: ['--maxWorkers=2'], env: { ...probe.env, NODE_OPTIONS: probe.config.execArgv?.join(' ') ?? '' } })
    expect(run.errors).toEqual([])
    expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual(
      [
        ...concurrent.slice(0, 5).map((name) => `concurrent Sequelize test ${name}`),
        'a query at import time was refused, naming testSequelize()',
        'a test opens an account in a managed transaction',
        'the next test starts clean, from the migrated and seeded template',
        "currentLayer('sequelize') is the app's Sequelize, and currentDb() sees what it wrote",
        'a foreign key error, and a failed transaction rolled back, leave nothing behind',
        "values and errors come back as Sequelize on node-sqlite3 returns them on a plain file, in Jest's sandbox too",
        'closing the Sequelize is an outage for this test only',
        'and the next test has a working Sequelize',
        'deriveTemplate() through the app Sequelize starts from the block data',
      ].map((name) => [name, 'passed', []]),
    )
    expect(leftovers(run.tmpDir)).toEqual([])
    // The global setup (Jest's main process) made the run's private temp dir, with `tmp`, once;
    // each worker made its own in it with mkdtemp, and none made one with `tmp` (~11 ms a file).
    const made = probe.lines().filter((line) => / (mkdir|mkdtemp) .*\/sqlite-fixtures-\d+-\w{12}(\/\d+-)?$/.test(line))
    const runDirs = made.filter((line) => / mkdir /.test(line))
    expect(runDirs).toEqual([expect.stringMatching(/^(\d+) mkdir .*\/sqlite-fixtures-\1-\w{12}$/)])
    const [mainPid, , runDir] = (runDirs[0] as string).split(' ')
    const workerDirs = made.filter((line) => / mkdtemp /.test(line))
    expect(workerDirs.length).toBeGreaterThan(0)
    for (const line of workerDirs) expect(line).toMatch(/^(\d+) mkdtemp (.*)\/\1-$/)
    for (const line of workerDirs) expect([line.split(' ')[0] === mainPid, path.dirname(line.split(' ')[2] as string)]).toEqual([false, runDir])
  })
})
