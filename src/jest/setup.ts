// The file for Jest's `setupFilesAfterEnv`: it wires Jest's hooks to the core.
import { installHooks } from './hooks.js'

installHooks()
