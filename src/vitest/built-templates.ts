import { createVitest } from 'vitest/node'
import type { TemplateHandoff } from '../core/template/index.js'
import { providedKey, type Provided } from './provided.js'

/** The template a project's plugin built. */
export interface BuiltTemplate {
  /** The project's name (`''` for a config without projects). */
  readonly project: string
  readonly handoff: TemplateHandoff
}

/**
 * Loads the Vitest config as `vitest` would, without running tests: the plugin of each
 * project builds its template while Vitest sets the project up, and hands it over through
 * the project's provided context, where this reads it.
 */
export async function builtTemplates(options: { root: string; config?: string | undefined; projects?: string[] | undefined }): Promise<BuiltTemplate[]> {
  const vitest = await createVitest('test', {
    root: options.root,
    watch: false,
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.projects === undefined ? {} : { project: options.projects }),
  })
  try {
    return vitest.projects.flatMap((project) => {
      const provided = project.getProvidedContext()[providedKey] as Provided | undefined
      return provided ? [{ project: project.name, handoff: provided.template }] : []
    })
  } finally {
    await vitest.close()
  }
}
