// The file for Jest's `setupFilesAfterEnv`: it wires Jest's hooks to the core.
import { useRunnerImport } from '../core/base/index.js'
import { installHooks } from './hooks.js'
import { jestImport } from './module-import.js'

installHooks()
useRunnerImport(jestImport)
