import { createRequire } from 'node:module'
import type { ModuleImport } from '../core/base/index.js'

/**
 * Jest's own `require`: Jest hands the code it runs its own `node:module`, whose
 * `createRequire` loads files through Jest's registry and the project's transform.
 */
export const jestImport: ModuleImport = async (file) => createRequire(file)(file)
