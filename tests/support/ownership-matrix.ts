import type { InnerRun, InnerTest } from './run-vitest.js'

// The invariant every cell of the ownership matrix (fixtures/ownership-matrix) is held to,
// read from what the run reported and what its late work recorded:
// - a test named "pass: ..." passed, and one named "fail: ..." failed (no correct test fails,
//   no broken test passes), failing for the reason its name gives;
// - work a test left running was refused, not written, and its test file failed naming the
//   test (or, for work no test owns on a kept connection, was refused as cross-test work;
//   through the app's handle, as made outside a test);
// - every scenario that leaves work running did leave some, so no cell holds vacuously.

/** A cell: one scenario, through one access path, under one feature, in one project. */
interface Cell {
  readonly project: string
  readonly feature: string
  readonly path: string
  readonly scenario: string
}

/** What the matrix covered, and every way it broke the invariant. */
export interface MatrixReport {
  readonly cells: number
  readonly tests: number
  readonly lateWork: number
  readonly problems: string[]
}

/** Scenarios that leave work running after their test. */
const leavingWork = new Set([
  'late timer',
  'unawaited',
  'timeout',
  'broken register',
  'ownerless',
  'queued through the handle',
  'late write into the retry',
  'broken retry',
  'late write',
  'pending fake timer',
  'broken register on the fake clock',
  'fresh late write',
  'isolated late write',
  'late answer',
])

/** What a "fail:" test must fail with, by what its name says it does. */
const failureReasons: [RegExp, RegExp][] = [
  [/catches the refusal|the retry catches it/, /caught a refusal|is declared with test\.(fails|failing)/],
  [/declared to fail throws the refusal/, /is declared with test\.(fails|failing)/],
  [/times out/, /timed out|Exceeded timeout/],
  [/refused, naming isolation 'savepoint'/, /isolation:? 'savepoint'/],
  [/through Prisma without prismaLayer, and is refused/, /uses Prisma while other tests/],
]

const key = (cell: Cell) => `${cell.project}|${cell.feature}|${cell.path}|${cell.scenario}`

/** The cell of a matrix test, from its describe blocks: "<project> <feature>", the path, the scenario. */
function cellOf(test: InnerTest): Cell | undefined {
  const [top, path, scenario] = test.ancestors
  if (top === undefined || path === undefined || scenario === undefined) return undefined
  const [project = '', feature = ''] = top.split(' ')
  return { project, feature, path, scenario }
}

/** The late-work lines of the event log: `late|<project>|<feature>|<path>|<scenario>|<owner>|<outcome>`. */
function lateWork(events: readonly string[]): { cell: Cell; owner: string; outcome: string }[] {
  return events
    .filter((line) => line.startsWith('late|'))
    .map((line) => {
      const [, project = '', feature = '', path = '', scenario = '', owner = '', outcome = ''] = line.split('|')
      return { cell: { project, feature, path, scenario }, owner, outcome }
    })
}

/** Checks every cell of a matrix run against the invariant. */
export function checkMatrix(run: InnerRun, testFile: (feature: string) => string): MatrixReport {
  const problems: string[] = []
  const cells = new Map<string, Cell>()
  const tests = run.tests.filter((test) => /^(pass|fail): /.test(test.title))
  for (const test of tests) {
    const cell = cellOf(test)
    if (!cell) {
      problems.push(`${test.name}: not in a cell (its describe blocks: ${test.ancestors.join(' | ')})`)
      continue
    }
    cells.set(key(cell), cell)
    const expected = test.title.startsWith('pass: ') ? 'passed' : 'failed'
    if (test.state !== expected) {
      problems.push(`${test.name}: ${test.state}, should have ${expected}${test.errors.length > 0 ? `: ${test.errors.join(' / ').slice(0, 400)}` : ''}`)
      continue
    }
    const reason = failureReasons.find(([title]) => title.test(test.title))?.[1]
    if (expected === 'failed' && reason && !test.errors.some((error) => reason.test(error))) {
      problems.push(`${test.name}: failed, but not with ${String(reason)}: ${test.errors.join(' / ').slice(0, 400)}`)
    }
  }
  const late = lateWork(run.events)
  for (const { cell, owner, outcome } of late) {
    const where = `${key(cell)}: work "${owner}" left running`
    const kept = cell.project === 'savepoint'
    if (cell.scenario === 'ownerless') {
      // No test owns it: on the kept connection it is refused as no test's; a closed one refuses
      // it by name, as late work of the test that handed the connection over.
      const allowed = kept ? ['SQLITE_FIXTURES_CROSS_TEST'] : ['SQLITE_FIXTURES_LATE_WORK']
      if (!allowed.includes(outcome)) problems.push(`${where}: ${outcome}, should have been ${allowed.join(' or ')}`)
      continue
    }
    if (cell.scenario === 'queued through the handle') {
      // Made where no test runs: the handle has no database to give it (and keeps it for none).
      if (outcome !== 'SQLITE_FIXTURES_UNAVAILABLE') problems.push(`${where}: ${outcome}, should have been refused as made outside a test`)
      continue
    }
    if (outcome !== 'SQLITE_FIXTURES_LATE_WORK') {
      problems.push(`${where}: ${outcome}, should have been refused as late work`)
      continue
    }
    const file = run.files.find((candidate) => candidate.project === cell.project && candidate.file === testFile(cell.feature))
    const reported = file?.errors.some((error) => error.includes(owner) && /has ended, but (node-sqlite3 answered )?work it left running/.test(error))
    if (!reported) problems.push(`${where}: refused, but its file (${cell.project} ${testFile(cell.feature)}) did not fail naming the test`)
  }
  const leftWork = new Set(late.map(({ cell }) => key(cell)))
  for (const cell of cells.values()) {
    if (leavingWork.has(cell.scenario) && !leftWork.has(key(cell))) problems.push(`${key(cell)}: left no work running, so it proved nothing`)
  }
  return { cells: cells.size, tests: tests.length, lateWork: late.length, problems }
}
