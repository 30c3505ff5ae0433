import path from 'node:path'
import type { TestProject, Vitest } from 'vitest/node'
import type { TemplateHandoff } from '../core/template/index.js'
import type { ResolvedOptions } from '../core/base/index.js'
import { readDatabaseUse } from './file-meta.js'

/** The project's test files whose tests asked for a database in their last run (made or not), as their workers reported. */
function databaseFiles(vitest: Vitest, project: TestProject): string[] {
  return vitest.state
    .getFiles()
    .filter((file) => (file.projectName ?? '') === project.name && readDatabaseUse(file)?.opened === true)
    .map((file) => file.filepath)
}

/** Whether `file` is one of `inputs`, or inside a folder among them. */
function isWithin(file: string, inputs: readonly string[]): boolean {
  return inputs.some((input) => file === input || file.startsWith(input + path.sep))
}

/** The files and folders the workers of this project built their own templates from (their setup files' options, their layers' steps). */
function reportedInputs(vitest: Vitest, project: TestProject): string[] {
  return vitest.state
    .getFiles()
    .filter((test) => (test.projectName ?? '') === project.name)
    .flatMap((test) => readDatabaseUse(test)?.templateFiles ?? [])
}

/**
 * Watch mode: a change to a file the template is built from (by the plugin's options, or by a
 * worker's own options and layers, as the workers reported) rebuilds the template in this
 * process and reruns the project's test files that used a database, only those; the rerun
 * waits for the rebuild. A template that fails to build is reported here once per change,
 * and the rerun files fail with the error where they use the database; the next save that
 * fixes it reruns them again.
 */
export function watchTemplate(
  vitest: Vitest,
  project: TestProject,
  options: ResolvedOptions,
  first: TemplateHandoff,
  rebuild: () => Promise<TemplateHandoff>,
): void {
  // The plugin's schema and seed (files, folders of .sql files, seed modules) and migrations folders.
  const scripts = [...options.schema, ...options.steps, ...(typeof options.seed === 'function' ? [] : options.seed)]
  const folders = options.migrations.map((set) => set.folder)
  /** The project files the last build's modules brought in (a seed module's imports). */
  let modules = new Set('modules' in first ? first.modules : [])
  const isInput = (file: string) =>
    scripts.some((input) => file === input || (path.dirname(file) === input && file.endsWith('.sql'))) ||
    isWithin(file, folders) ||
    modules.has(file) ||
    isWithin(file, reportedInputs(vitest, project))
  // Vite watches the project root; inputs may live elsewhere (a shared folder).
  const watched = new Set<string>()
  const watchOutside = (inputs: readonly string[]) => {
    const outside = inputs.filter((input) => !watched.has(input) && path.relative(vitest.config.root, input).startsWith('..'))
    for (const input of outside) watched.add(input)
    if (outside.length > 0) vitest.vite.watcher.add(outside)
  }
  watchOutside([...scripts, ...folders, ...modules])
  // What the workers report is known after each run: watched from then on.
  const reporters = vitest.config.reporters as unknown[]
  reporters.push({ onTestRunEnd: () => watchOutside(reportedInputs(vitest, project)) })

  let rebuilding: Promise<void> = Promise.resolve()
  // Every rerun waits for the rebuild a change started, so its workers get the new template.
  vitest.onTestsRerun(() => rebuilding)
  const triggers = (vitest.config.watchTriggerPatterns ??= [])
  triggers.push({
    // Every changed file is offered; those the template is not built from fall through
    // (`undefined`) to Vitest's own module-graph handling.
    pattern: /.*/,
    testsToRun: (changed) => {
      // Vite gives the path with forward slashes; the options hold native ones (Windows).
      const file = path.resolve(changed)
      if (!isInput(file)) return undefined
      rebuilding = rebuilding.then(async () => {
        const handoff = await rebuild().catch((error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }))
        if ('modules' in handoff) {
          // Added to, never replaced: a module an earlier build loaded may be imported again.
          modules = new Set([...modules, ...handoff.modules])
          watchOutside(handoff.modules)
        }
        if ('error' in handoff) {
          vitest.logger.error(
            `sqlite-fixtures: ${path.relative(vitest.config.root, file)} changed, and the template could not be rebuilt: ` +
              `the tests that use the database fail until it is fixed (save again then).\n${handoff.error.message}`,
          )
        }
      })
      return databaseFiles(vitest, project)
    },
  })
  // Vitest offers a deleted file to no trigger: an input that goes counts as a change (its
  // table, or a seed's rows, must go from the template too).
  vitest.vite.watcher.on('unlink', (deleted: string) => {
    if (isInput(path.resolve(deleted))) vitest.watcher.onFileChange(deleted)
  })
}
