// The setup file the plugin adds to `setupFiles`: it wires Vitest's hooks to the core.
import { useRunnerImport, useRunnerModuleGraph } from '../core/base/index.js'
import { installHooks } from './hooks.js'
import { vitestImport } from './module-import.js'
import { workerModuleGraph } from './module-graph.js'

installHooks()
useRunnerImport(vitestImport)
useRunnerModuleGraph(workerModuleGraph)
