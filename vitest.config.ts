import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests start a whole Vitest each; processes keep their env and exit codes apart.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
