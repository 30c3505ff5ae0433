import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import { resolveOptions } from '../core/options.js'
import { providedOptionsKey, type SerializableOptions } from './provided.js'

/** The tags tests use to opt out (`no-db`) or, with `auto: false`, in (`db`). */
export const fixtureTags = [
  { name: 'no-db', description: 'sqlite-fixtures: this test gets no database.' },
  { name: 'db', description: 'sqlite-fixtures: this test gets a database (needed when auto is false).' },
] as const

/**
 * The Vitest plugin: adds the setup file that wires the hooks, declares the `db` and `no-db`
 * tags, and hands its options (paths and settings; functions and layers go in a setup file
 * through `useSqliteFixtures`) to every worker.
 */
export function sqliteFixtures(options: SerializableOptions = {}): Plugin {
  // Checked here, so a bad option fails the run before any worker starts.
  resolveOptions(options)
  const setupFile = fileURLToPath(import.meta.resolve('sqlite-fixtures/vitest/setup'))
  return {
    name: 'sqlite-fixtures',
    config(config) {
      const test = (config.test ??= {})
      const setupFiles = typeof test.setupFiles === 'string' ? [test.setupFiles] : (test.setupFiles ?? [])
      // First, so the fixture hooks wrap every hook the project's own setup files add.
      test.setupFiles = [setupFile, ...setupFiles.filter((file) => file !== setupFile)]
      const declared = new Set((test.tags ?? []).map((tag) => tag.name))
      test.tags = [...(test.tags ?? []), ...fixtureTags.filter((tag) => !declared.has(tag.name))]
    },
    // Relative paths in the options are the project's: resolved from its root, known here
    // however it was given (config, --root, a workspace project).
    configureVitest({ project }) {
      project.provide(providedOptionsKey, { ...options, rootDir: path.resolve(project.config.root, options.rootDir ?? '.') })
    },
  }
}
