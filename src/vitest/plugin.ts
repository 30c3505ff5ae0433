import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import type { TestProject } from 'vitest/node'
import { resolveOptions, type ResolvedOptions, SqliteFixturesConfigError } from '../core/base/index.js'
import { makeRunTempDir, removeRunTempDir, sweepEarlierRuns } from '../core/lifecycle/index.js'
import { startupFailure, type TemplateHandoff } from '../core/template/index.js'
import { ormMigrationSteps } from '../orm-migrations.js'
import { useAsyncContextFrame } from './async-context.js'
import { sayNotices } from './notices.js'
import { projectModuleGraph } from './module-graph.js'
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
      'sqlite-fixtures: the plugin builds the template in the main process and hands the workers its options as data, ' +
        "so a seed function and layers cannot go there. Put the seed function in a module and give its path (seed: 'tests/seed.ts'), " +
        "or pass it, and your layers, to configureSqliteFixtures() in a setup file (Vitest's setupFiles).",
    )
  }
}

/**
 * The template of a project, built in Vitest's main process: project files (a seed module,
 * TypeScript migrations) load through the project's own Vite transform, and the module
 * runner's graph tells what they brought in. Each build loads them afresh (watch mode
 * rebuilds after an edit): under a query Vite keys its modules by, with every module the
 * earlier builds loaded from the options' files forgotten, so their imports load afresh too.
 */
function buildIn(project: TestProject, options: ResolvedOptions): () => Promise<TemplateHandoff> {
  let builds = 0
  const modules = projectModuleGraph(project)
  const moduleSources = [...options.steps, ...(typeof options.seed === 'function' ? [] : options.seed), ...options.migrations.map((set) => set.folder)]
  let loaded: readonly string[] = []
  return async () => {
    // Loaded here: the workers import this module too, and never build a template.
    const { prebuildTemplate } = await import('../core/template/prebuild.js')
    const build = ++builds
    modules.forget?.([...loaded, ...modules.inputsOf(moduleSources).files])
    const handoff = await prebuildTemplate(options, {
      stepsOf: ormMigrationSteps,
      importModule: (file) => project.import(`${file}?sqlite-fixtures-build=${build}`),
      modules,
    })
    if ('modules' in handoff) loaded = handoff.modules
    return handoff
  }
}

/**
 * The Vitest plugin: adds the setup file that wires the hooks, declares the `db` and `no-db`
 * tags, builds the whole template once per run (schema, ORM migrations, seed) in the main
 * process, before any worker starts, and hands it, with its options, to every worker. In
 * watch mode it rebuilds the template when a file it is made from changes, and reruns the
 * test files that use a database.
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
      // Node 22: the workers' AsyncLocalStorage, which every test runs in, without promise hooks.
      useAsyncContextFrame(test)
    },
    // Relative paths in the options are the project's: resolved from its root, known here
    // however it was given (config, --root, a workspace project). Each project of a
    // workspace gets its own template.
    async configureVitest({ vitest, project }) {
      const projectOptions = { ...options, rootDir: path.resolve(project.config.root, options.rootDir ?? '.') }
      const resolved = resolveOptions(projectOptions)
      sayNotices(vitest, resolved.cacheDir)
      const build = buildIn(project, resolved)
      // Made once here, so that no worker loads `tmp` for it; removed, if empty, at the end.
      const runTempDir = makeRunTempDir(resolved.tempDir)
      ;(vitest.config.reporters as unknown[]).push({ onTestRunEnd: () => sweepEarlierRuns(runTempDir) })
      vitest.onClose(() => removeRunTempDir(runTempDir))
      const provide = (template: TemplateHandoff) => {
        project.provide(providedKey, { options: projectOptions, template, runTempDir })
        return template
      }
      const first = provide(await build())
      if (vitest.config.watch) watchTemplate(vitest, project, resolved, first, async () => provide(await build()))
      // A template that cannot be built fails the run once, here, before any test runs on it.
      // (In watch mode, the tests that use it fail with the error until a save fixes it.)
      else if ('error' in first) throw startupFailure(first.error)
    },
  }
}
