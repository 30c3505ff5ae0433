import { expect, test } from 'vitest'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { runJest } from '../support/run-jest.js'
import { runFixture } from '../support/run-vitest.js'

const refused = (owner: string) =>
  `sqlite-fixtures: test "${owner}" has ended, but work it left running (a timer, an unawaited promise, code that went ` +
  'on after a timeout, a server it started) reached for its database. It was refused: nothing was written. Await everything it starts, and ' +
  'clear its timers, before it returns.'

test('work a test left running is refused, nothing is written, and its file fails naming the test, sequential or concurrent', async () => {
  const run = await runFixture('ownership', { files: ['tests/timer.test.ts', 'tests/concurrent.test.ts', 'tests/timeout.test.ts', 'tests/blocks.test.ts'] })
  expect(Object.fromEntries(run.tests.map((t) => [t.name, t.state]))).toEqual({
    'A leaves two writes running': 'passed',
    'B sees an empty table': 'passed',
    'concurrent > A leaves a write running': 'passed',
    'concurrent > B sees an empty table': 'passed',
    'a test that times out and carries on': 'failed',
    'the next test sees nothing of it': 'passed',
    'X > leaves a write running': 'passed',
    "Y > starts from Y's data only": 'passed',
  })
  // Each refusal is reported even though the app swallowed it: the file fails with the owner's name.
  expect(run.errors.sort()).toEqual(
    [
      refused('A leaves two writes running'),
      refused('A leaves two writes running'),
      refused('concurrent > A leaves a write running'),
      refused('a test that times out and carries on'),
      refused('X > leaves a write running'),
    ].sort(),
  )
  expect(run.logs.filter((line) => line.startsWith('could not add')).length).toBe(4)
})

/** Runs test files in name order, so a worker that runs several (isolate: false) runs them in a known order. */
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId))
  }
}

const lateFiles = ['tests/late-after-file.test.ts', 'tests/next-file.test.ts']
const eventOwner = 'the last test publishes an event whose handler writes after the test'

test("work a file's last test leaves for the next turn of the event loop fails that file, naming the test; no other file", async () => {
  const run = await runFixture('ownership', { files: lateFiles })
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([
    [eventOwner, 'passed'],
    ["a test of the next file, while the other file's late work arrives", 'passed'],
  ])
  const errorsOf = (file: string) => run.files.find((candidate) => candidate.file === file)?.errors
  expect(errorsOf('tests/late-after-file.test.ts')).toEqual([refused(eventOwner)])
  expect(errorsOf('tests/next-file.test.ts')).toEqual([])
})

test('work that comes after its file has finished, in a worker that runs the next file, is an error of the run naming the owner and its file, not charged to the next file', async () => {
  const run = await runFixture('ownership', { files: lateFiles, config: { isolate: false, maxWorkers: 1, sequence: { sequencer: ByName } } })
  expect(run.tests.map((t) => t.state)).toEqual(['passed', 'passed'])
  const errorsOf = (file: string) => run.files.find((candidate) => candidate.file === file)?.errors
  // What the file left for the next turn: drained before the file reported, and charged to it.
  expect(errorsOf('tests/late-after-file.test.ts')).toEqual([refused(eventOwner)])
  // What came 300 ms later, while the next file ran: the run's error, naming the owner's file.
  expect(errorsOf('tests/next-file.test.ts')).toEqual([])
  const late = run.errors.filter((error) => !run.files.some((file) => file.errors.includes(error)))
  expect(late).toEqual([
    expect.stringMatching(
      new RegExp(`^LateWorkError: ${escape(refused(eventOwner))} It came after its test file, .*/fixtures/ownership/tests/late-after-file\\.test\\.ts, had finished, so it is reported as an error of the run\\.$`),
    ),
  ])
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

test('a broken test fails: what another test left running never supplies its rows', async () => {
  const run = await runFixture('ownership', { files: ['tests/broken-register.test.ts'] })
  const broken = run.test('B: register() writes a customer')
  expect(broken.state).toBe('failed')
  expect(broken.errors[0]).toBe('expected +0 to be 1 // Object.is equality')
  expect(run.errors).toEqual([refused('A registers a customer without awaiting it')])
})

test("the plugin's refusal fails the test that caught it, unless the test says it expects it", async () => {
  const run = await runFixture('ownership', { files: ['tests/swallowed.test.ts'] })
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual([
    [
      'a no-db test that catches the refusal still fails',
      'failed',
      [expect.stringContaining('has no database: it is tagged "no-db"')],
    ],
    ['a no-db test that expects the refusal says so, and passes', 'passed', []],
    ['a test with a database: the database itself refuses the row', 'passed', []],
  ])
  expect(run.errors).toEqual([])
})

test('without the plugin line, every file fails at its start, saying how to add it; no test passes on the error', async () => {
  const run = await runFixture('missing-plugin')
  expect(run.tests.map((t) => [t.name, t.state])).toEqual([['a customer needs a name', 'skipped']])
  expect(run.errors).toEqual([
    "sqlite-fixtures: the plugin's hooks are not installed in this Vitest run, so no test gets a database, and currentDb(), " +
      'testDatabase() and the ORM layers cannot tell which test they serve. Add sqliteFixtures() to `plugins` in ' +
      "vitest.config.ts, or 'sqlite-fixtures/vitest/setup' to `test.setupFiles` (before your own setup file).",
  ])
})

test("Jest: the same, sequential and concurrent, through Jest's own record of the running test (Jest 30.5+)", async () => {
  const run = await runJest('jest-ownership', { args: ['--runInBand'] })
  expect(Object.fromEntries(run.tests.map((t) => [t.name, t.state]))).toEqual({
    'A leaves two writes running': 'passed',
    'B sees an empty table': 'passed',
    'A registers a customer without awaiting it': 'passed',
    'B: register() writes a customer': 'failed',
    'a test that times out and carries on': 'failed',
    'the next test sees nothing of it': 'passed',
    '[no-db] a test that catches the refusal still fails': 'failed',
    '[no-db] a test that expects the refusal says so, and passes': 'passed',
    'a test with a database: the database itself refuses the row': 'passed',
    'concurrent A leaves a write running': 'passed',
    'concurrent B sees an empty table while the others write': 'passed',
    'concurrent C times out and carries on': 'failed',
    'concurrent Ada writes only to its own database': 'passed',
    'concurrent Grace writes only to its own database': 'passed',
    'the last test publishes an event whose handler writes after the test': 'passed',
  })
  expect(run.test('B: register() writes a customer').errors[0]).toMatch(/Expected: 1\n\s*Received: 0/)
  expect(run.test('[no-db] a test that catches the refusal still fails').errors[0]).toMatch(/has no database: its name \(or its describe block's\) has the marker "\[no-db\]"/)
  // The files whose tests left work running fail, naming the test.
  const fileErrors = run.errors.join('\n')
  for (const owner of [
    'A leaves two writes running', 'A registers a customer without awaiting it', 'a test that times out and carries on',
    'concurrent A leaves a write running', 'concurrent C times out and carries on',
    // Left for the next turn of the event loop by the file's last test: drained before the file reports.
    'the last test publishes an event whose handler writes after the test',
  ]) {
    expect(fileErrors).toContain(`test "${owner}" has ended, but work it left running`)
  }
})
