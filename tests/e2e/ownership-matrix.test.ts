import { expect, test } from 'vitest'
import { checkMatrix } from '../support/ownership-matrix.js'
import { leftovers, runFixture } from '../support/run-vitest.js'

// The ownership matrix (fixtures/ownership-matrix, fixtures/jest-ownership-matrix): every
// scenario of late work and refusals, under every runner feature that re-runs, inverts,
// defers or re-imports a test, through every access path, in every project. One run per
// runner; each cell is held to the same invariant (tests/support/ownership-matrix.ts).
// The Jest half is in ownership-matrix-jest.test.ts: a file of its own, so the two runs
// (minutes each, much of it waiting on timers) go to separate workers.

test('Vitest: in every cell, late work is refused and reported by its owner, no broken test passes, no correct test fails', async () => {
  const run = await runFixture('ownership-matrix')
  const report = checkMatrix(run, (feature) => `tests/${feature}.test.ts`)
  console.log(`ownership matrix, Vitest: ${report.cells} cells, ${report.tests} tests, ${report.lateWork} pieces of late work`)
  if (process.env.MATRIX_PROBLEMS) (await import('node:fs')).writeFileSync(process.env.MATRIX_PROBLEMS, report.problems.join('\n'))
  expect(report.problems).toEqual([])
  expect(report.cells).toBeGreaterThanOrEqual(1551)
  expect(leftovers(run.tmpDir)).toEqual([])
}, 900_000)
