import os from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests start a whole Vitest each; processes keep their env and exit codes apart.
    pool: 'forks',
    // One file per core, not Vitest's default of one fewer: an end-to-end file mostly waits
    // on the runner it started (its workers, its timers, a file watcher), so on a 2-core CI
    // machine the default's single worker leaves much of the machine idle.
    maxWorkers: Math.max(2, os.availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
