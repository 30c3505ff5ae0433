import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import { resolveOptions, SqliteFixturesConfigError } from '../core/base/index.js'
import type { TemplateHandoff } from '../core/template/index.js'
import { providedKey, type SerializableOptions } from './provided.js'
import { watchTemplate } from './watch.js'

/** The tags tests use to opt out (`no-db`) or, with `auto: false`, in (`db`). */
export const fixtureTags = [
  { name: 'no-db', description: 'sqlite-fixtures: this test gets no database.' },
  { name: 'db', description: 'sqlite-fixtures: this test gets a database (needed when auto is false).' },
] as const

function checkSerializable(options: SerializableOptions): void {
  const given = options as Record<string, unknown>
  if (typeof given.seed === 'function' || given.layers !== undefined) {
    throw new SqliteFixturesConfigError(
      'sqlite-fixtures: the plugin hands its options to the workers as data, so a seed function and layers cannot ' +
        "go there: pass them to useSqliteFixtures() in a setup file (Vitest's setupFiles).",
    )
  }
}

/**
 * The Vitest plugin: adds the setup file that wires the hooks, declares the `db` and `no-db`
 * tags, builds the template once per run, in the main process, and hands it, with its
 * options (paths and settings; functions and layers go in a setup file through
 * `useSqliteFixtures`), to every worker. In watch mode it rebuilds the template when a
 * schema or seed file changes, and reruns the test files that use a database.
 */
export function sqliteFixtures(options: SerializableOptions = {}): Plugin {
  // Checked here, so a bad option fails the run before any worker starts.
  checkSerializable(options)
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
    // however it was given (config, --root, a workspace project). Each project of a
    // workspace gets its own template.
    async configureVitest({ vitest, project }) {
      // Loaded here: the workers import this module too, and never build a template.
      const { prebuildTemplate } = await import('../core/template/prebuild.js')
      const projectOptions = { ...options, rootDir: path.resolve(project.config.root, options.rootDir ?? '.') }
      const resolved = resolveOptions(projectOptions)
      const provide = (template: TemplateHandoff) => {
        project.provide(providedKey, { options: projectOptions, template })
        return template
      }
      provide(prebuildTemplate(resolved))
      if (vitest.config.watch) watchTemplate(vitest, project, resolved, () => provide(prebuildTemplate(resolved)))
    },
  }
}
