import { expect, test } from 'vitest'
import { checkMatrix } from '../support/ownership-matrix.js'
import { runJest } from '../support/run-jest.js'
import { leftovers } from '../support/run-vitest.js'

// The ownership matrix's Jest half (the Vitest half, and what the matrix is: ownership-matrix.test.ts).

test('Jest: in every cell, late work is refused and reported by its owner, no broken test passes, no correct test fails', async () => {
  const run = await runJest('jest-ownership-matrix')
  const report = checkMatrix(run, (feature) => `tests/${feature}.test.ts`)
  console.log(`ownership matrix, Jest: ${report.cells} cells, ${report.tests} tests, ${report.lateWork} pieces of late work`)
  if (process.env.MATRIX_PROBLEMS) (await import('node:fs')).writeFileSync(`${process.env.MATRIX_PROBLEMS}.jest`, report.problems.join('\n'))
  expect(report.problems).toEqual([])
  expect(report.cells).toBeGreaterThanOrEqual(1257)
  expect(leftovers(run.tmpDir)).toEqual([])
}, 900_000)
