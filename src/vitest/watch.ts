import path from 'node:path'
import type { TestProject, Vitest } from 'vitest/node'
import type { TemplateHandoff } from '../core/template/index.js'
import type { ResolvedOptions } from '../core/base/index.js'
import { readDatabaseUse } from './file-meta.js'

/** The project's test files that used a database in their last run, as their workers reported. */
function databaseFiles(vitest: Vitest, project: TestProject): string[] {
  return vitest.state
    .getFiles()
    .filter((file) => (file.projectName ?? '') === project.name && readDatabaseUse(file)?.opened === true)
    .map((file) => file.filepath)
}

/** Whether `file` is one the template is built from: a schema or seed file, a `.sql` file in a schema folder. */
function isOptionInput(file: string, inputs: readonly string[]): boolean {
  return inputs.some((input) => file === input || (path.dirname(file) === input && file.endsWith('.sql')))
}

/** Whether `file` is one of `inputs`, or inside a folder among them. */
function isWithin(file: string, inputs: readonly string[]): boolean {
  return inputs.some((input) => file === input || file.startsWith(input + path.sep))
}

/** Whether a layer's template step of this project read `file` (an ORM's migrations), as the workers reported. */
function isStepInput(file: string, vitest: Vitest, project: TestProject): boolean {
  return vitest.state
    .getFiles()
    .some((test) => (test.projectName ?? '') === project.name && isWithin(file, readDatabaseUse(test)?.templateFiles ?? []))
}

/**
 * Watch mode: a change to a file the template is built from rebuilds the template (in this
 * process, before the rerun) and reruns the project's test files that used a database,
 * only those. A template that fails to build is reported once, and nothing is rerun until
 * the next change: the watcher keeps running.
 */
export function watchTemplate(vitest: Vitest, project: TestProject, options: ResolvedOptions, rebuild: () => TemplateHandoff): void {
  const inputs = [...options.schema, ...(typeof options.seed === 'function' ? [] : options.seed)]
  // Vite watches the project root; schema files may live elsewhere (a shared folder).
  const outside = inputs.filter((input) => path.relative(vitest.config.root, input).startsWith('..'))
  if (outside.length > 0) vitest.vite.watcher.add(outside)
  const triggers = (vitest.config.watchTriggerPatterns ??= [])
  triggers.push({
    // Every changed file is offered; those the template is not built from fall through
    // (`undefined`) to Vitest's own module-graph handling.
    pattern: /.*/,
    testsToRun: (changed) => {
      // Vite gives the path with forward slashes; the options hold native ones (Windows).
      const file = path.resolve(changed)
      if (!isOptionInput(file, inputs) && !isStepInput(file, vitest, project)) return undefined
      const handoff = rebuild()
      if ('error' in handoff) {
        vitest.logger.error(
          `sqlite-fixtures: ${path.relative(vitest.config.root, file)} changed, and the template could not be rebuilt, ` +
            `so the tests that use the database were not rerun. Fix it and save again.\n${handoff.error.message}`,
        )
        return []
      }
      return databaseFiles(vitest, project)
    },
  })
}
