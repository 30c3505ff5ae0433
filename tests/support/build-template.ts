// Run by tests/unit/template-race.test.ts in several processes at once: builds the template
// of the project in argv[2] (with a slow seed that records each build) and prints its key.
import fs from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { resolveOptions } from '../../src/core/base/options.js'
import { importProjectModule } from '../../src/core/base/module-import.js'
import { loadTemplate, templateRecipe } from '../../src/core/template/template.js'
import { ormMigrationSteps } from '../../src/orm-migrations.js'

const [root, buildLog] = process.argv.slice(2) as [string, string]
const options = resolveOptions({
  rootDir: root,
  schema: 'schema.sql',
  cacheDir: 'cache',
  seed: async (db) => {
    fs.appendFileSync(buildLog, `${process.pid}\n`)
    await sleep(300)
    db.prepare('insert into t values (1)').run()
  },
})
const recipe = templateRecipe(options, { schema: true, sets: [] }, { stepsOf: ormMigrationSteps, importModule: importProjectModule })
const template = await loadTemplate(recipe, options)
process.stdout.write(`${template.key} ${template.image.length}\n`)
