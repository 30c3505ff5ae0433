// `npm run bench:startup`: what a test file pays to start, by where the template's inputs are
// declared (the plugin, a setup file, an ORM layer) and how the app's client is mocked, on
// the real Vitest (the 1,000-test sample, installed with the packed package), against no
// plugin and against a hand-written floor; then what Vitest's main process does per run,
// and what each entry costs to import. `--node 24` runs the suites on another Node. See
// bench/README.md.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createRequire } from 'node:module'
import { moduleGraphOver, requiredModules, type RequiredModule } from '../src/core/base/module-graph.js'
import { importProjectModule } from '../src/core/base/module-import.js'
import { resolveOptions } from '../src/core/base/options.js'
import { prebuildTemplate } from '../src/core/template/prebuild.js'
import { ormMigrationSteps } from '../src/orm-migrations.js'
import { installSample } from './install.js'
import { otherNode } from './other-node.js'
import { measure, slow, summarize, type Measurement } from './measure.js'
import { formatMs, formatTable, machineInfo, writeJson } from './report.js'
import { withRatios, type RowSpec } from './row.js'
import { timeSuiteRun, suiteFiles } from './suite.js'
import { largeTemplate, smallTemplate, type BenchTemplate } from './templates.js'

const { values: args } = parseArgs({
  options: {
    /** Timed Vitest runs per variant (after one warm-up each). */
    rounds: { type: 'string', default: '3' },
    /** Run the Vitest suites on this Node major version, fetched from npm (with better-sqlite3 built for it). */
    node: { type: 'string' },
    /** Only the Vitest suites. */
    'suite-only': { type: 'boolean', default: false },
  },
})

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const progress = (line: string) => process.stderr.write(`${line}\n`)

/** One way of running the sample: its env, and the row it is judged against. */
interface StartupVariant {
  readonly name: string
  readonly env: Record<string, string>
  readonly ref?: string
}

const noPlugin = 'no plugin, no database (tests write to an array)'
const floor = 'hand-written floor: each test opens new Database(template bytes) in beforeEach'
const none = { BENCH_SUITE_TOUCH: 'none' }

const variants: readonly StartupVariant[] = [
  { name: noPlugin, env: { BENCH_SUITE_DB: 'off' } },
  { name: floor, env: { BENCH_SUITE_DB: 'floor' } },
  { name: 'options in the plugin', env: {}, ref: floor },
  { name: 'options in the plugin, no file touches the database', env: none, ref: noPlugin },
  { name: 'options in the plugin, and an empty setup file of your own, no file touches the database (control)', env: { BENCH_SUITE_SETUP: 'empty', ...none }, ref: noPlugin },
  { name: 'options in a setup file', env: { BENCH_SUITE_SETUP: 'options' }, ref: floor },
  { name: 'options in a setup file, no file touches the database', env: { BENCH_SUITE_SETUP: 'options', ...none }, ref: noPlugin },
  { name: 'Drizzle migrations in the plugin (drizzleMigrations)', env: { BENCH_SUITE_MIGRATIONS: 'plugin' }, ref: floor },
  { name: 'Drizzle migrations on the layer in a setup file (the older way)', env: { BENCH_SUITE_SETUP: 'drizzle-layer' }, ref: floor },
  {
    name: 'Drizzle migrations on the layer in a setup file, no file touches the database',
    env: { BENCH_SUITE_SETUP: 'drizzle-layer', ...none },
    ref: noPlugin,
  },
  { name: "app's Kysely taken at import by the setup file (eager), no file touches the database", env: { BENCH_SUITE_SETUP: 'eager-app', ...none }, ref: noPlugin },
  { name: "app's Kysely behind a lazy vi.mock factory, no file touches the database", env: { BENCH_SUITE_SETUP: 'lazy-app', ...none }, ref: noPlugin },
]

/** The benchmark schema as one Drizzle (drizzle-kit 0.x) migration: its statements split at Drizzle's breakpoints. */
function writeDrizzleMigrations(dir: string, schemaSql: string): string {
  const folder = path.join(dir, 'drizzle')
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true })
  const statements = schemaSql.split(/;\s*\n/).map((sql) => sql.trim()).filter(Boolean)
  fs.writeFileSync(path.join(folder, '0000_bench.sql'), statements.map((sql) => `${sql};`).join('\n--> statement-breakpoint\n'))
  const entries = [{ idx: 0, version: '6', when: 1_700_000_000_000, tag: '0000_bench', breakpoints: true }]
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries }))
  return folder
}

/** What the test files of one run spent, summed inside the workers (see fixtures/bench-suite/timing-reporter.ts). */
interface Timings {
  readonly setup: number
  readonly collect: number
  readonly tests: number
}

/**
 * The suite rows: every variant once to warm caches, then `rounds` times, alternating. Two
 * groups: the runs' wall times, and the time the files spent inside the workers (setup files,
 * importing the test file, tests and hooks), summed, which the load of a shared machine moves
 * less.
 */
async function suiteRows(t: BenchTemplate, scratch: string, rounds: number): Promise<(RowSpec & Measurement)[]> {
  const project = installSample('bench-suite', scratch)
  let node = process.execPath
  if (args.node) {
    const other = otherNode(args.node, scratch)
    node = other.node
    fs.rmSync(path.join(project, 'node_modules/better-sqlite3'))
    fs.symlinkSync(other.driver, path.join(project, 'node_modules/better-sqlite3'), 'dir')
  }
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  const timingsFile = path.join(scratch, 'timings.jsonl')
  const common = {
    BENCH_SUITE_SCHEMA: t.files.schema,
    BENCH_SUITE_SEED: t.files.seed,
    BENCH_SUITE_TEMPLATE: t.template.file,
    BENCH_SUITE_DRIZZLE: writeDrizzleMigrations(scratch, t.sql.schema),
    BENCH_SUITE_TIMINGS: timingsFile,
    SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'suite-cache'),
    TMPDIR: path.join(scratch, 'suite-tmp'),
  }
  fs.mkdirSync(common.TMPDIR, { recursive: true })
  const lastTimings = () => JSON.parse(fs.readFileSync(timingsFile, 'utf8').trim().split('\n').at(-1) as string) as Timings
  const run = async (variant: StartupVariant) => {
    const wall = await timeSuiteRun(project, { ...common, ...variant.env }, variant.name, node)
    const { setup, collect, tests } = lastTimings()
    return { wall, inside: setup + collect + tests }
  }
  progress(`vitest runs of fixtures/bench-suite on Node ${nodeVersion}, ${variants.length} variants, 1 warm-up + ${rounds} each...`)
  const walls = new Map<StartupVariant, number[]>(variants.map((variant) => [variant, []]))
  const insides = new Map<StartupVariant, number[]>(variants.map((variant) => [variant, []]))
  for (const variant of variants) await run(variant)
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const { wall, inside } = await run(variant)
      walls.get(variant)?.push(wall)
      insides.get(variant)?.push(inside)
      progress(`  ${variant.name}: ${formatMs(wall)} (inside the workers: ${formatMs(inside)})`)
    }
  }
  const rowsOf = (group: string, times: Map<StartupVariant, number[]>) =>
    variants.map((variant) => ({
      group,
      name: variant.name,
      kind: variant.ref === undefined ? ('floor' as const) : ('plugin' as const),
      ...(variant.ref === undefined ? {} : { ref: variant.ref }),
      ...summarize(times.get(variant) ?? []),
    }))
  const suite = `on Node ${nodeVersion}: vitest run, ${suiteFiles} files x 50 tests, ${t.label} template`
  return [...rowsOf(`suite ${suite} (wall time)`, walls), ...rowsOf(`files ${suite} (setup files + import + tests, summed in the workers)`, insides)]
}

/**
 * What Vitest's main process does per run for a template: with the stat fast path (nothing
 * changed since the last run: stats only), and without it (a changed input: every input read
 * and hashed, the cached template read and checksummed, as every run did before).
 */
async function mainProcessRows(t: BenchTemplate, scratch: string): Promise<(RowSpec & Measurement)[]> {
  const options = resolveOptions({ rootDir: scratch, schema: t.files.schema, seed: t.files.seed, cacheDir: path.join(scratch, `main-${t.label.replace(/\W+/g, '')}`) })
  const builders = { stepsOf: ormMigrationSteps, importModule: importProjectModule }
  const prebuild = () => prebuildTemplate(options, builders)
  await prebuild()
  const dropManifests = () => {
    for (const name of fs.readdirSync(options.cacheDir)) if (name.startsWith('inputs-')) fs.rmSync(path.join(options.cacheDir, name))
  }
  const group = `main process, per run, ${t.label} template`
  const fast = await measure('inputs unchanged', prebuild, slow)
  const full = await measure('an input changed', async () => {
    dropManifests()
    await prebuild()
  }, slow)
  return [
    { group, name: 'an input changed (read, hash, read the template and checksum it)', kind: 'baseline', ...full },
    { group, name: 'nothing changed (the stat fast path)', kind: 'plugin', ref: 'an input changed (read, hash, read the template and checksum it)', ...fast },
    ...(await seedModuleRows(t, scratch, group)),
  ]
}

/**
 * The same fast path with a seed module that requires two modules of its own, loaded through
 * Node's `require` (as Jest's global setup loads it) and recorded from `require.cache`: every
 * file the seed brought in is statted too, and still nothing is read or hashed.
 */
async function seedModuleRows(t: BenchTemplate, scratch: string, group: string): Promise<(RowSpec & Measurement)[]> {
  const dir = path.join(scratch, `seed-module-${t.label.replace(/\W+/g, '')}`)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'names.cjs'), "module.exports = { names: ['Ada', 'Grace'] }\n")
  fs.writeFileSync(path.join(dir, 'rows.cjs'), "const { names } = require('./names.cjs')\nmodule.exports = { rows: () => names }\n")
  fs.writeFileSync(path.join(dir, 'seed.cjs'), "const { rows } = require('./rows.cjs')\nmodule.exports.default = (db) => { for (const name of rows()) db.prepare('select ?').get(name) }\n")
  // Written a minute back: a file written within 2 s of a run is hashed again on the next.
  const past = Date.now() / 1000 - 60
  for (const name of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, name), past, past)
  const options = resolveOptions({ rootDir: scratch, schema: t.files.schema, seed: path.join(dir, 'seed.cjs'), cacheDir: path.join(dir, 'cache') })
  const load = createRequire(path.join(dir, 'seed.cjs'))
  const builders = {
    stepsOf: ormMigrationSteps,
    importModule: async (file: string) => load(file) as unknown,
    modules: moduleGraphOver(() => requiredModules(load.cache as Record<string, RequiredModule | undefined>)),
  }
  await prebuildTemplate(options, builders)
  const fast = await measure('inputs unchanged, a seed module', () => prebuildTemplate(options, builders), slow)
  return [{ group, name: 'nothing changed, a seed module that requires two modules (the stat fast path)', kind: 'plugin', ref: 'an input changed (read, hash, read the template and checksum it)', ...fast }]
}

/** What importing each entry costs in a fresh Node process (medians of 15), with what it must load on first use. */
function importRows(): (RowSpec & Measurement)[] {
  // (The Vitest entries import vitest, which loads only inside a run.)
  const entries = ['sqlite-fixtures', 'sqlite-fixtures/drizzle', 'sqlite-fixtures/kysely', 'sqlite-fixtures/prisma', 'better-sqlite3', 'drizzle-orm/better-sqlite3', 'kysely', '@prisma/adapter-better-sqlite3']
  const script = 'const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t))'
  const group = `import in a fresh process (node ${process.version}; the plugin's entries as built in dist/)`
  return entries.map((entry) => {
    const times = Array.from({ length: 15 }, () =>
      Number(execFileSync(process.execPath, ['--input-type=module', '-e', script, entry], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    )
    return { group, name: entry, kind: entry.startsWith('sqlite-fixtures') ? 'plugin' : 'baseline', ...summarize(times) }
  })
}

async function main(): Promise<void> {
  const started = performance.now()
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-startup-'))
  const machine = machineInfo()
  progress(`sqlite-fixtures startup bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; scratch dir: ${scratch}`)
  try {
    const small = await smallTemplate(scratch)
    const templates = [small]
    const rows: (RowSpec & Measurement)[] = []
    if (!args['suite-only']) {
      progress('import costs...')
      rows.push(...importRows())
      progress('main process per run, 0.5 MB...')
      rows.push(...(await mainProcessRows(small, scratch)))
      progress('building the ~50 MB template...')
      const large = await largeTemplate(scratch)
      templates.push(large)
      progress('main process per run, 50 MB...')
      rows.push(...(await mainProcessRows(large, scratch)))
    }
    rows.push(...(await suiteRows(small, scratch, Number(args.rounds))))
    for (const t of templates) {
      t.memory.close()
      t.file.close()
      t.savepoint.close()
    }
    const results = withRatios(rows)
    const json = writeJson(repoRoot, machine, results, { templates: { smallBytes: small.template.image.length } }, 'startup')
    console.log(formatTable(results))
    for (const group of new Set(results.filter((r) => r.group.startsWith('suite') || r.group.startsWith('files')).map((r) => r.group))) {
      const perFile = (name: string, ref: string) => {
        const row = results.find((r) => r.group === group && r.name === name)
        const other = results.find((r) => r.group === group && r.name === ref)
        return row && other ? `${((row.medianMs - other.medianMs) / suiteFiles).toFixed(1)} ms per file` : 'n/a'
      }
      console.log(`\nPer file, over the row named (difference / ${suiteFiles} files), ${group}:`)
      for (const variant of variants.filter((v) => v.ref !== undefined)) console.log(`  ${variant.name}: ${perFile(variant.name, variant.ref as string)} over "${variant.ref}"`)
      console.log(`  Drizzle migrations in the plugin: ${perFile('Drizzle migrations in the plugin (drizzleMigrations)', 'options in the plugin')} over the plain schema`)
      console.log(`  Drizzle layer in a setup file: ${perFile('Drizzle migrations on the layer in a setup file (the older way)', 'options in the plugin')} over the plain schema`)
    }
    console.log(`\n${machine.cpu}, ${machine.cores} cores, ${machine.os}; node ${machine.node}; total ${formatMs(performance.now() - started)}; JSON: ${path.relative(process.cwd(), json)}`)
  } catch (error) {
    progress(`bench failed; kept its scratch dir: ${scratch}`)
    throw error
  }
  fs.rmSync(scratch, { recursive: true, force: true })
}

await main()
