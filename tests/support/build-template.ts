// Run by tests/unit/template-race.test.ts in several processes at once: builds the template
// of the project in argv[2] (with a slow seed that records each build) and prints its key.
import fs from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { resolveOptions } from '../../src/core/base/options.js'
import { loadTemplate, optionSteps } from '../../src/core/template/template.js'

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
const template = await loadTemplate(optionSteps(options), options)
process.stdout.write(`${template.key} ${template.image.length}\n`)
