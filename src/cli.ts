#!/usr/bin/env node
// `npx sqlite-fixtures build`: builds the template of every Vitest project that uses the
// plugin, ahead of the test run (a CI step before sharded runs), reading the same options
// as the plugin from the project's Vitest config, and prints where each one is.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { builtTemplates } from './vitest/built-templates.js'

const usage = `Usage: sqlite-fixtures build [--root <dir>] [--config <file>] [--project <name>]...

Builds the SQLite template of each Vitest project that uses the sqliteFixtures() plugin, into
its cache dir, and prints where it is and what it was built from. The options (schema, ORM
migrations, seed) are read from the Vitest config, as the plugin reads them: the test run
then finds the template in the cache, and no worker migrates.`

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: 'string' },
      config: { type: 'string' },
      project: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(usage)
    return 0
  }
  if (positionals.length !== 1 || positionals[0] !== 'build') {
    console.error(`sqlite-fixtures: unknown command "${positionals.join(' ')}".\n\n${usage}`)
    return 1
  }
  const root = path.resolve(values.root ?? '.')
  let templates: Awaited<ReturnType<typeof builtTemplates>>
  try {
    templates = await builtTemplates({ root, config: values.config, projects: values.project })
  } catch (error) {
    // The plugin fails the start of a run whose template cannot be built: the error is the build's.
    console.error(error instanceof Error ? error.message : String(error))
    return 1
  }
  if (templates.length === 0) {
    console.error(`sqlite-fixtures: no Vitest project under ${root} uses the sqliteFixtures() plugin.`)
    return 1
  }
  let failed = false
  for (const { project, handoff } of templates) {
    const name = project === '' ? 'the project' : `project "${project}"`
    if ('error' in handoff) {
      failed = true
      console.error(`sqlite-fixtures: the template of ${name} could not be built:\n${handoff.error.message}`)
    } else {
      const steps = handoff.steps.length === 0 ? 'nothing (an empty database)' : handoff.steps.join(', ')
      console.log(
        `sqlite-fixtures: template of ${name}: ${handoff.file}\n  key ${handoff.key}, cache dir ${path.dirname(handoff.file)}\n  built from ${steps}`,
      )
    }
  }
  return failed ? 1 : 0
}

process.exitCode = await main()
