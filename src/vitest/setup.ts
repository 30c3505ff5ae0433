// The setup file the plugin adds to `setupFiles`: it wires Vitest's hooks to the core.
import { useRunnerImport } from '../core/base/index.js'
import { installHooks } from './hooks.js'
import { vitestImport } from './module-import.js'

installHooks()
useRunnerImport(vitestImport)
