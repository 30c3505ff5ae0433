import os from 'node:os'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { defineConfig } from 'vitest/config'

/**
 * The files that take longest (measured in CI, longest first). With no results cache (a clean
 * clone, as in CI) Vitest starts the largest files first, and these small files that run a
 * whole suite would start last and leave the other worker idle at the end.
 */
const slowest = [
  'tests/e2e/ownership-matrix.test.ts',
  'tests/e2e/ownership-matrix-jest.test.ts',
  'tests/e2e/d1.test.ts',
  'tests/e2e/kysely.test.ts',
  'tests/e2e/vitest-hooks.test.ts',
  'tests/e2e/template-inputs.test.ts',
  'tests/e2e/watch.test.ts',
  'tests/e2e/watch-code.test.ts',
]

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = slowest.findIndex((name) => file.moduleId.endsWith(name))
      return index === -1 ? slowest.length : index
    }
    // Array.prototype.sort is stable: the other files keep Vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests start a whole Vitest each; processes keep their env and exit codes apart.
    pool: 'forks',
    // One file per core, not Vitest's default of one fewer: an end-to-end file mostly waits
    // on the runner it started (its workers, its timers, a file watcher), so on a 2-core CI
    // machine the default's single worker leaves much of the machine idle.
    maxWorkers: Math.max(2, os.availableParallelism()),
    sequence: { sequencer: SlowestFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
