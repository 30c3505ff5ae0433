import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { forgetNodeRequired, type LoadedModule, type ModuleGraph, moduleGraphOver, nodeRequiredModules } from '../core/base/index.js'

// Vite's module runner keeps every module it evaluated, with the ids it imported: the graph
// of what a seed module or a migration brought in. Its types are Vite's; only the fields
// read here are named, and each is checked, so a runner without them yields no graph.
// A CommonJS file (a `.cjs` migration) is evaluated with a `require` from createRequire(file):
// what it required is only in Node's `require.cache`, so the graph reads that too.

interface EvaluatedNode {
  readonly id: string
  readonly file?: string | null
  readonly imports?: ReadonlySet<string>
  readonly exports?: unknown
}

interface EvaluatedModules {
  readonly idToModuleMap: ReadonlyMap<string, EvaluatedNode>
  invalidateModule(node: EvaluatedNode): void
}

function isEvaluatedModules(value: unknown): value is EvaluatedModules {
  const modules = value as Partial<EvaluatedModules> | undefined
  return modules?.idToModuleMap instanceof Map && typeof modules.invalidateModule === 'function'
}

/** A module id as a file path: ids are paths with a query, or `file:` URLs for externalized packages. */
function fileOfId(id: string): string {
  const bare = id.replace(/[?#].*$/, '')
  return bare.startsWith('file:') ? fileURLToPath(bare) : bare
}

function* evaluated(modules: EvaluatedModules): Iterable<LoadedModule> {
  for (const node of modules.idToModuleMap.values()) {
    yield {
      file: node.file ? fileOfId(node.file) : fileOfId(node.id),
      exports: node.exports,
      *imports() {
        for (const id of node.imports ?? []) {
          const imported = modules.idToModuleMap.get(id)
          yield imported?.file ? fileOfId(imported.file) : fileOfId(id)
        }
      },
    }
  }
}

/**
 * The graph of a module runner's evaluated modules and of Node's `require.cache`, read afresh
 * on each question; `forget` invalidates files in both.
 */
function runnerGraph(modules: () => EvaluatedModules | undefined): ModuleGraph {
  return moduleGraphOver(
    function* () {
      const found = modules()
      if (found) yield* evaluated(found)
      yield* nodeRequiredModules()
    },
    (files) => {
      forgetNodeRequired(files)
      const found = modules()
      if (!found) return
      const forgotten = new Set(files)
      for (const node of [...found.idToModuleMap.values()]) {
        if (forgotten.has(node.file ? fileOfId(node.file) : fileOfId(node.id))) found.invalidateModule(node)
      }
    },
  )
}

/**
 * The graph of the module runner behind `project.import()` in Vitest's main process, where
 * the plugin loads seed modules and TypeScript migrations. The runner is the project's own
 * (not in Vitest's typings): where it is not there, the graph is empty, and only the steps'
 * own files count.
 */
export function projectModuleGraph(project: TestProject): ModuleGraph {
  return runnerGraph(() => {
    const modules = (project as unknown as { runner?: { evaluatedModules?: unknown } }).runner?.evaluatedModules
    return isEvaluatedModules(modules) ? modules : undefined
  })
}

/** The graph of the module runner of this Vitest worker (its worker state's), where a layer's steps load modules. */
export const workerModuleGraph: ModuleGraph = runnerGraph(() => {
  const modules = (globalThis as { __vitest_worker__?: { evaluatedModules?: unknown } }).__vitest_worker__?.evaluatedModules
  return isEvaluatedModules(modules) ? modules : undefined
})
