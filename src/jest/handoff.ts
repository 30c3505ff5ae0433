import path from 'node:path'
import { type SqliteFixturesOptions, SqliteFixturesConfigError } from '../core/base/index.js'
import type { RunTempDir } from '../core/lifecycle/index.js'
import type { TemplateHandoff } from '../core/template/index.js'

/** Jest's workers are forked after its global setups: an env var carries the templates to them. */
const handoffVariable = 'SQLITE_FIXTURES_TEMPLATE'

/** The Jest project a global setup ran for, as Jest's project config describes it. */
export interface JestProject {
  /** Jest's id of the project (a hash of its config). */
  readonly id: string
  /** Its `displayName`, for messages. */
  readonly name?: string | undefined
  /** Where its test files are (its `roots`, absolute). */
  readonly roots: readonly string[]
}

/** What a global setup hands the workers: its options (the plain-data ones) and the template it built from them. */
export interface JestHandoff {
  /** The project it is for; absent where the global setup was called without Jest's project config. */
  readonly project?: JestProject | undefined
  readonly options: SqliteFixturesOptions
  readonly template: TemplateHandoff
  /** The run's private temp dir, which the global setup made, if it could. */
  readonly runTempDir?: RunTempDir | undefined
}

function handedOver(): JestHandoff[] {
  const json = process.env[handoffVariable]
  if (!json) return []
  const parsed = JSON.parse(json) as JestHandoff[] | JestHandoff
  return Array.isArray(parsed) ? parsed : [parsed]
}

/**
 * Adds a global setup's handoff to those handed over: one per project (Jest runs the global
 * setup of each project of `projects` in the one main process, before any worker starts).
 */
export function handOver(handoff: JestHandoff): void {
  const others = handedOver().filter((given) => given.project?.id !== handoff.project?.id)
  process.env[handoffVariable] = JSON.stringify([...others, handoff])
}

/** How deep the deepest root of `project` holding `file` is, or -1 when none holds it. */
function depthHolding(project: JestProject, file: string): number {
  const holding = project.roots.filter((root) => file === root || file.startsWith(root + path.sep))
  return Math.max(-1, ...holding.map((root) => root.length))
}

const projectName = (project: JestProject | undefined) => (project?.name ? `"${project.name}"` : `with root ${project?.roots.join(', ')}`)

/**
 * The handoff of the project the test file `testPath` belongs to: the one whose roots hold
 * it (the deepest, for nested projects). A template handed over for another project is never
 * used: a test file that no project's roots hold gets none, and builds its own from its setup
 * file's options. Two projects that both hold the file, with other templates, are an error.
 */
export function receivedHandoff(testPath: string | undefined): JestHandoff | undefined {
  const given = handedOver()
  const unscoped = given.filter((handoff) => handoff.project === undefined)
  const scoped = given.filter((handoff) => handoff.project !== undefined)
  if (scoped.length === 0 || testPath === undefined) return unscoped.at(-1) ?? (scoped.length === 1 ? scoped[0] : undefined)
  const depths = scoped.map((handoff) => depthHolding(handoff.project as JestProject, testPath))
  const deepest = Math.max(...depths)
  if (deepest < 0) return unscoped.at(-1)
  const holding = scoped.filter((_, index) => depths[index] === deepest)
  const [first, ...rest] = holding
  const differing = rest.find((other) => JSON.stringify(other.template) !== JSON.stringify(first?.template))
  if (differing) {
    throw new SqliteFixturesConfigError(
      `sqlite-fixtures: the Jest projects ${projectName(first?.project)} and ${projectName(differing.project)} both hold ${testPath} ` +
        'in their roots, and their global setups built different templates: the plugin cannot tell which one is this file\'s. ' +
        'Give each project its own rootDir (or roots), or give this project its options in its own setup file.',
    )
  }
  return first
}
