import { inject } from 'vitest'
import { type AnyLayer, resolveOptions, type SqliteFixturesOptions } from '../core/base/index.js'
import { FixtureRuntime } from '../core/lifecycle/index.js'
import { checkLayerNames } from './expose.js'
import { builtInLayers } from './layers.js'
import { ormMigrationSteps } from '../orm-migrations.js'
import { providedKey, type Provided } from './provided.js'

/** Options from the user's setup file; the plugin's options (if any) lie under them. */
let userOptions: SqliteFixturesOptions | undefined
let runtime: FixtureRuntime | undefined
/** What the plugin provided when the runtime was made: a watch-mode rerun may bring a new template. */
let madeFrom: Provided | undefined

/** Layers `fixture()` registered from test files, beside those in the options. */
const contextLayers = new Set<AnyLayer>()

/** Sets the options for the tests that follow. Call it from a file listed in `setupFiles`. */
export function configure(options: SqliteFixturesOptions): void {
  resetRuntime()
  userOptions = options
}

/** Registers a layer used as a context-mode fixture, unless the options already hold it. */
export function addContextLayer(layer: AnyLayer): void {
  if (contextLayers.has(layer)) return
  contextLayers.add(layer)
  if (runtime && !runtime.graph.has(layer.name)) resetRuntime()
}

function resetRuntime(): void {
  runtime?.close()
  runtime = undefined
}

/** The runtime, if a test of this process made one: what is left to close. */
export function existingRuntime(): FixtureRuntime | undefined {
  return runtime
}

/** Forgets a runtime made from what an earlier run provided (a worker kept between watch-mode runs). */
export function refreshRuntime(): void {
  if (runtime && inject(providedKey) !== madeFrom) resetRuntime()
}

/** The runtime of this process, made on first need (no test file pays for it before its first test). */
export function currentRuntime(): FixtureRuntime {
  if (!runtime) {
    const provided = inject(providedKey) as Provided | undefined
    const options = resolveOptions({ ...provided?.options, ...userOptions })
    const extra = [...contextLayers].filter((layer) => !options.layers.includes(layer))
    const created = new FixtureRuntime(options, [...builtInLayers, ...extra], provided?.template, ormMigrationSteps, provided?.runTempDir)
    checkLayerNames(created.graph.names)
    runtime = created
    madeFrom = provided
  }
  return runtime
}
