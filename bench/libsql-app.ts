// `npm run bench:libsql-app`: a libSQL app's suite (bench/libsql-app-sample.ts: 120 files,
// 24 of them with a database, 27 migrations as TypeScript functions, one of them libSQL's
// ALTER COLUMN, isolate: false) on the real Vitest, paired: the app's own way (each database
// test migrates a new `:memory:` client) against the plugin with driver 'libsql' (the
// migrations as a code step, run once per run in the main process), and the plugin on the
// same schema dumped into a schema.sql (plain schema: the reference). `--node 24` runs the
// suites on another Node (`--node-bin <node> --driver <better-sqlite3 dir>` one built before),
// `--rounds N` sets the timed rounds. See bench/README.md.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createClient } from '@libsql/client'
import { installPackage } from './install.js'
import { databaseFiles, pureFiles, testsPerFile, writeLibsqlApp } from './libsql-app-sample.js'
import { summarize, type Measurement } from './measure.js'
import { suiteNode } from './other-node.js'
import { formatMs, formatTable, machineInfo, writeJson } from './report.js'
import { withRatios, type RowSpec } from './row.js'
import { timeSuiteRun } from './suite.js'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    /** Run the suites on this Node major version, fetched from npm (with better-sqlite3 built for it, a few minutes). */
    node: { type: 'string' },
    /** Or on this Node binary, with the better-sqlite3 built for it in this folder (a run of --node leaves none behind). */
    'node-bin': { type: 'string' },
    driver: { type: 'string' },
  },
})

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const progress = (line: string) => process.stderr.write(`${line}\n`)

interface Variant {
  readonly name: string
  readonly env: string
  readonly ref?: string
}

const memory = "the app's own way: each database test migrates a new :memory: client"
const variants: readonly Variant[] = [
  { name: memory, env: 'memory' },
  { name: "plugin, driver 'libsql', the migrations as a code step (built once per run)", env: 'plugin', ref: memory },
  { name: 'plugin on the same schema dumped into schema.sql (plain schema, for reference)', env: 'schema', ref: memory },
]

/** The schema the app's migrations make, dumped by running them on a libSQL file: the plain-schema variant's schema.sql. */
async function dumpSchema(root: string, scratch: string): Promise<string> {
  const file = path.join(scratch, 'dump.sqlite')
  const client = createClient({ url: pathToFileURL(file).href })
  try {
    const { runMigrations } = (await import(pathToFileURL(path.join(root, 'src/migrate.ts')).href)) as { runMigrations(db: typeof client): Promise<void> }
    await runMigrations(client)
    const rows = (await client.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid")).rows
    return rows.map((row) => `${String(row.sql)};`).join('\n') + '\n'
  } finally {
    client.close()
  }
}

async function main(): Promise<void> {
  const started = performance.now()
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-libsql-app-'))
  const rounds = Number(args.rounds)
  try {
    const root = path.join(scratch, 'libsql-app')
    writeLibsqlApp(root, '')
    fs.writeFileSync(path.join(root, 'db/schema.sql'), await dumpSchema(root, scratch))
    installPackage(root, scratch, ['@libsql'])
    const node = suiteNode(args, scratch, [root])
    const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
    const timings = path.join(scratch, 'timings.jsonl')
    const tmp = path.join(scratch, 'tmp')
    fs.mkdirSync(tmp)
    const tests = (databaseFiles + pureFiles) * testsPerFile
    const run = async (variant: Variant) => {
      const env = { BENCH_LIBSQL_VARIANT: variant.env, BENCH_LIBSQL_TIMINGS: timings, SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'cache'), TMPDIR: tmp }
      const wall = await timeSuiteRun(root, env, variant.name, node, tests)
      const inside = JSON.parse(fs.readFileSync(timings, 'utf8').trim().split('\n').at(-1) as string) as { database: number; pure: number }
      return { wall, database: inside.database / databaseFiles, pure: inside.pure / pureFiles }
    }
    progress(`libSQL app suite on Node ${nodeVersion}: ${databaseFiles + pureFiles} files, ${tests} tests; ${variants.length} variants, 1 warm-up + ${rounds} rounds each, alternating`)
    const samples = new Map(variants.map((variant) => [variant, { wall: [] as number[], database: [] as number[], pure: [] as number[] }]))
    for (const variant of variants) await run(variant)
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        const result = await run(variant)
        const kept = samples.get(variant)
        kept?.wall.push(result.wall)
        kept?.database.push(result.database)
        kept?.pure.push(result.pure)
        progress(`  ${variant.env}: ${formatMs(result.wall)} (per database file ${formatMs(result.database)}, per other file ${formatMs(result.pure)})`)
      }
    }
    const rowsOf = (group: string, pick: 'wall' | 'database' | 'pure'): (RowSpec & Measurement)[] =>
      variants.map((variant) => ({
        group,
        name: variant.name,
        kind: variant.ref === undefined ? ('baseline' as const) : ('plugin' as const),
        ...(variant.ref === undefined ? {} : { ref: variant.ref }),
        ...summarize(samples.get(variant)?.[pick] ?? []),
      }))
    const suite = `on Node ${nodeVersion}: vitest run, libSQL app, ${databaseFiles + pureFiles} files (${databaseFiles} with a database), isolate: false`
    const rows = withRatios([
      ...rowsOf(`suite ${suite} (wall time)`, 'wall'),
      ...rowsOf(`per database file ${suite} (setup + import + tests, in the worker)`, 'database'),
      ...rowsOf(`per file that never touches the database ${suite} (setup + import + tests, in the worker)`, 'pure'),
    ])
    // On a shared machine the load drifts from round to round: each round's ratio to the run of
    // the app's own way beside it says more than the ratio of medians.
    const base = samples.get(variants[0] as Variant)?.wall ?? []
    const paired = Object.fromEntries(
      variants.slice(1).map((variant) => [variant.env, (samples.get(variant)?.wall ?? []).map((ms, round) => Number((ms / (base[round] as number)).toFixed(2)))]),
    )
    const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
    process.stdout.write(`${formatTable(rows)}\n\npaired, each round's wall time over the app's own way's in the same round:\n`)
    for (const [name, ratios] of Object.entries(paired)) process.stdout.write(`  ${name}: ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')} (median ${median(ratios)?.toFixed(2)}x)\n`)
    const json = writeJson(repoRoot, machineInfo(), rows, { suiteNode: nodeVersion, rounds, paired }, `libsql-app-node${nodeVersion.split('.')[0]?.slice(1)}`)
    progress(`done in ${formatMs(performance.now() - started)}; figures in ${json}`)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
