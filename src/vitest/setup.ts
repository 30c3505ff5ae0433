// The setup file the plugin adds to `setupFiles`: it wires Vitest's hooks to the core.
import { useRunnerImport } from '../core/module-import.js'
import { installHooks } from './hooks.js'
import { vitestImport } from './module-import.js'

installHooks()
useRunnerImport(vitestImport)
