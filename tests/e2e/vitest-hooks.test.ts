import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { leftovers, makeScratch, probeLoads, runFixture, type InnerRun } from '../support/run-vitest.js'

const expectedFailures = ['fails after using the database', 'times out while using the database']

function passedExcept(run: InnerRun, failing: readonly string[]): void {
  expect(run.errors).toEqual([])
  for (const test of run.tests) {
    expect({ name: test.name, state: test.state, errors: test.errors }).toEqual({
      name: test.name,
      state: failing.includes(test.name) ? 'failed' : 'passed',
      errors: failing.includes(test.name) ? expect.any(Array) : [],
    })
  }
}

function verboseLines(scratch: string): string[] {
  const file = path.join(scratch, 'verbose.log')
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
}

const autoFiles = ['tests/isolation.test.ts', 'tests/failures.test.ts', 'tests/describe-opt-out.test.ts', 'tests/file-opt-out.test.ts']

describe.each(['memory', 'file'] as const)('%s mode', (mode) => {
  test('each test gets a fresh, seeded database with foreign keys on, and nothing is left behind', async () => {
    const scratch = makeScratch()
    const run = await runFixture('basic', {
      scratch,
      files: autoFiles,
      env: { SAMPLE_MODE: mode, SQLITE_FIXTURES_VERBOSE: path.join(scratch, 'verbose.log') },
    })
    passedExcept(run, expectedFailures)
    expect(run.test('fails after using the database').errors[0]).toBe('expected 1 to be 2 // Object.is equality')
    expect(run.test('times out while using the database').errors[0]).toMatch(/timed out in 200ms/)
    expect(run.test('does not see the row of the test before').state).toBe('passed')
    expect(run.test('the next test starts clean: no rows and no file left by the failures').state).toBe('passed')
    expect(leftovers(run.tmpDir)).toEqual([])

    // Opted-out tests never made a database: one per test that touched db, no more.
    const databases = verboseLines(scratch).filter((line) => line.includes('] database for '))
    const made = databases.map((line) => /database for "(.*)":/.exec(line)?.[1]).sort()
    expect(made).toEqual(
      [
        'writes a row', 'does not see the row of the test before', 'is seeded', 'enforces foreign keys',
        'currentDb() is the test context database',
        'in file mode, DATABASE_URL names the test database and a second connection sees its rows',
        'a user layer is built on first use, after db',
        ...expectedFailures, 'the next test starts clean: no rows and no file left by the failures',
        'a test beside them still has one',
      ].sort(),
    )
  })

  test('a layer is set up after db and torn down before it, also when its test fails or times out', async () => {
    const run = await runFixture('basic', { files: ['tests/failures.test.ts'], env: { SAMPLE_MODE: mode } })
    expect(run.events).toEqual([
      'setup probe fails after using the database',
      'teardown probe fails after using the database',
      'setup probe times out while using the database',
      'teardown probe times out while using the database',
    ])
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})

test('in file mode, DATABASE_URL points at each test database and is restored after it', async () => {
  const scratch = makeScratch()
  const probe = probeLoads(scratch)
  const run = await runFixture('basic', { scratch, files: ['tests/isolation.test.ts'], env: { SAMPLE_MODE: 'file', ...probe.env }, config: probe.config })
  passedExcept(run, [])
  const urls = run.events.filter((line) => line.startsWith('after ')).map((line) => line.split('DATABASE_URL=')[1])
  expect(urls).toHaveLength(7)
  expect(new Set(urls).size).toBe(7)
  // In the dir of the run (this process is Vitest's main here), in the worker's own dir.
  for (const url of urls) expect(url).toMatch(new RegExp(`sqlite-fixtures-${process.pid}-\\w{12}/\\d+-\\w{6}/\\d+\\.sqlite$`))
  // The worker made its dir without loading `tmp` (~11 ms per file): the main process made the run's.
  const worker = /\/(\d+)-\w{6}\/\d+\.sqlite$/.exec(urls[0] ?? '')?.[1] as string
  expect(probe.loadsOf(worker)).toContain('better-sqlite3')
  expect(probe.loadsOf(worker)).not.toContain('tmp')
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('concurrent tests each see their own database through ctx.db and currentDb()', async () => {
  const run = await runFixture('basic', { files: ['tests/concurrent.test.ts'] })
  passedExcept(run, [])
  expect(run.tests).toHaveLength(3)
})

test('in file mode, concurrent tests are refused clearly: DATABASE_URL cannot name two databases', async () => {
  const run = await runFixture('basic', { files: ['tests/concurrent.test.ts'], env: { SAMPLE_MODE: 'file' } })
  const refused = run.tests.filter((test) => test.state === 'failed')
  expect(refused.length).toBeGreaterThan(0)
  for (const test of refused) {
    expect(test.errors[0]).toMatch(/run at the same time in one process, and process\.env\.DATABASE_URL can point at only one/)
    expect(test.errors[0]).toMatch(/env: false/)
  }
  expect(leftovers(run.tmpDir)).toEqual([])
})

test('with auto: false, only tests tagged db get a database', async () => {
  const run = await runFixture('basic', { files: ['tests/opt-in.test.ts'], env: { SAMPLE_AUTO: 'false' } })
  passedExcept(run, [])
  expect(run.tests).toHaveLength(2)
})

describe.each([
  ['threads', { pool: 'threads' }],
  ['forks', { pool: 'forks' }],
  ['threads without isolation', { pool: 'threads', isolate: false }],
  ['forks without isolation', { pool: 'forks', isolate: false }],
  ['vmThreads', { pool: 'vmThreads' }],
] as const)('in the %s pool', (_name, config) => {
  test.each(['memory', 'file'] as const)('parallel files stay isolated (%s mode)', async (mode) => {
    const run = await runFixture('basic', { files: autoFiles, config, env: { SAMPLE_MODE: mode } })
    passedExcept(run, expectedFailures)
    expect(run.tests).toHaveLength(14)
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})

test('sharded runs split the files and each shard stays isolated', async () => {
  const scratch = makeScratch()
  const shards = []
  for (const shard of ['1/2', '2/2']) {
    shards.push(await runFixture('basic', { scratch, files: autoFiles, config: { shard } }))
  }
  for (const run of shards) passedExcept(run, expectedFailures)
  expect(shards.map((run) => run.tests.length).reduce((a, b) => a + b)).toBe(14)
  expect(shards.every((run) => run.tests.length > 0)).toBe(true)
  expect(leftovers(path.join(scratch, 'tmp'))).toEqual([])
})

test('the template is built once, in the main process, and a second run reuses it and migrates nothing', async () => {
  const scratch = makeScratch()
  const env = { SQLITE_FIXTURES_VERBOSE: path.join(scratch, 'verbose.log') }
  await runFixture('basic', { scratch, env, files: ['tests/isolation.test.ts'] })
  const first = verboseLines(scratch).filter((line) => line.includes('template'))
  fs.rmSync(path.join(scratch, 'verbose.log'))
  await runFixture('basic', { scratch, env, files: ['tests/isolation.test.ts'] })
  const second = verboseLines(scratch).filter((line) => line.includes('template'))
  // Vitest's main process is this one (startVitest): the workers only read what it built.
  const main = `[sqlite-fixtures ${process.pid}]`
  expect(first).toEqual([expect.stringMatching(/template built: .*template-\w{32}-[0-9a-f]{16}\.sqlite \(2 steps/)])
  expect(first[0]).toContain(main)
  // Nothing it is built from changed: the stat fast path vouches for it, reading nothing.
  expect(second).toEqual([expect.stringMatching(/template cache hit, inputs unchanged: /)])
  expect(second[0]).toContain(main)
})

test('a bad schema file fails the run once, at its start, naming the file, line and statement: no test runs', async () => {
  const scratch = makeScratch()
  const failure = await runFixture('bad-schema', { scratch }).then(
    (run) => run.tests,
    (error: unknown) => error,
  )
  expect(failure).toMatchObject({ name: 'SchemaError', code: 'SQLITE_FIXTURES_SCHEMA' })
  expect((failure as Error).message).toContain('002_broken.sql:10 failed: no such table: ordres')
  expect((failure as Error).message).toContain('in statement: insert into ordres (customer_id) values (1);')
  expect((failure as Error).message).toContain('The template could not be built: no test runs until it is fixed.')
  expect(leftovers(path.join(scratch, 'tmp'))).toEqual([])
})

describe.each(['memory', 'file'] as const)('keep: failed (%s mode)', (mode) => {
  test("keeps the database of a failed test, names its path in the test's report, and deletes the others", async () => {
    const run = await runFixture('basic', {
      files: ['tests/failures.test.ts'],
      env: { SAMPLE_MODE: mode, SQLITE_FIXTURES_KEEP: 'failed' },
    })
    passedExcept(run, expectedFailures)
    const kept = leftovers(run.tmpDir).filter((name) => name.endsWith('.sqlite'))
    expect(kept).toHaveLength(2)
    for (const name of kept) {
      const file = path.join(run.tmpDir, name)
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      // The failing test's own write is in it.
      const { default: Database } = await import('better-sqlite3')
      const db = new Database(file, { readonly: true })
      expect(db.prepare('select count(*) from orders').pluck().get()).toBe(1)
      db.close()
    }
    for (const name of expectedFailures) {
      expect(run.test(name).errors.filter((error) => /kept its database: .*\.sqlite\n {2}open it with: sqlite3 /.test(error))).toHaveLength(1)
    }
  })
})
