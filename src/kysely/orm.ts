import { requirePackage } from '../core/base/index.js'

type KyselyModule = typeof import('kysely')

/**
 * `kysely`, loaded on first use rather than imported: `sqlite-fixtures/kysely` in a setup
 * file then costs a test file that never touches a database nothing of Kysely (~170 ms to
 * load here). In the ESM build it is the very module the app's own `import` loads.
 */
export const kyselyModule = (): KyselyModule => requirePackage<KyselyModule>('kysely')
