// Run by tests/unit/template-race.test.ts in several processes at once, as several test runs
// (or `sqlite-fixtures build`s) started together: builds the template of the project in
// argv[2] as a main process does (the plugin's, Jest's global setup, the build command), and
// prints its key and file. The project's seed module is slow and writes random bytes, so two
// builds would make two different files.
import { importProjectModule } from '../../src/core/base/module-import.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { prebuildTemplate } from '../../src/core/template/prebuild.js'
import { ormMigrationSteps } from '../../src/orm-migrations.js'

const [root] = process.argv.slice(2) as [string]
const options = resolveOptions({ rootDir: root, schema: 'schema.sql', seed: 'seed.mjs', cacheDir: 'cache' })
const handoff = await prebuildTemplate(options, { stepsOf: ormMigrationSteps, importModule: importProjectModule })
if ('error' in handoff) throw new Error(handoff.error.message)
process.stdout.write(`${handoff.key} ${handoff.file}\n`)
