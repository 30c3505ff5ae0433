// The file for Jest's `setupFilesAfterEnv`: it wires Jest's hooks to the core.
import { useRunnerImport, useRunnerModuleGraph } from '../core/base/index.js'
import { installHooks } from './hooks.js'
import { jestImport } from './module-import.js'
import { jestModuleGraph } from './module-graph.js'

installHooks()
useRunnerImport(jestImport)
useRunnerModuleGraph(jestModuleGraph)
