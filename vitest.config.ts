import os from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests start a whole Vitest each; processes keep their env and exit codes apart.
    pool: 'forks',
    // At least two files at a time: Vitest's default (one fewer than the cores) runs one on a
    // 2-core machine, while most of an end-to-end file's time is its child runner starting
    // and waiting (the suite: 382 s against 520 s on 2 quiet cores).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
