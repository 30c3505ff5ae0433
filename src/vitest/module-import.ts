import { vi } from 'vitest'
import type { ModuleImport } from '../core/base/index.js'

/**
 * Vitest's own module runner, reached through its public `vi.importActual`: it transforms
 * the file as it does test files (TypeScript, the project's Vite plugins), even when called
 * from this package, which Vitest leaves to Node in a real install.
 */
export const vitestImport: ModuleImport = (file) => vi.importActual(file)
