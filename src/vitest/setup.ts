// The setup file the plugin adds to `setupFiles`: it wires Vitest's hooks to the core.
import { installHooks } from './hooks.js'

installHooks()
