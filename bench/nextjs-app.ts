// `npm run bench:nextjs-app`: a Next.js-like app's suite (bench/nextjs-app-sample.ts: Drizzle
// on better-sqlite3, 36 files, 15 of them never touching the database, their tests awaiting
// a few hundred times each) on the real Vitest, paired: the app's own setup (a hand-written
// CREATE script on a new `:memory:` database per test) against the plugin (the Drizzle
// migrations given to it, a fresh copy of the template per test). `--node 24` runs the suites
// on another Node (`--node-bin <node> --driver <better-sqlite3 dir>` one built before),
// `--rounds N` sets the timed rounds, `--compare <checkout>` adds the plugin as built in
// another checkout (its dist/, packed), paired in the same rounds. See bench/README.md.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { installPackage } from './install.js'
import { databaseFiles, pureFiles, testsPerFile, writeNextjsApp } from './nextjs-app-sample.js'
import { summarize, type Measurement } from './measure.js'
import { suiteNode } from './other-node.js'
import { formatMs, formatTable, machineInfo, writeJson } from './report.js'
import { withRatios, type RowSpec } from './row.js'
import { timeSuiteRun } from './suite.js'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    /** Run the suites on this Node major version, fetched from npm (with better-sqlite3 built for it, a few minutes). */
    node: { type: 'string' },
    /** Or on this Node binary, with the better-sqlite3 built for it in this folder. */
    'node-bin': { type: 'string' },
    driver: { type: 'string' },
    /** Also the plugin as built in this checkout (run its `npm run build` first): before and after, in the same rounds. */
    compare: { type: 'string' },
    /** Also the app's own setup with Node's compile cache (Node 22.1+), which the plugin turns on for its workers: what of the plugin's gain is Node's. */
    'compile-cache': { type: 'boolean', default: false },
  },
})

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const progress = (line: string) => process.stderr.write(`${line}\n`)

interface Variant {
  readonly name: string
  /** A short name for progress lines and the JSON. */
  readonly label: string
  readonly env: Record<string, string>
  readonly ref?: string
  /** Runs the copy of the app whose package was packed from this checkout (`--compare`). */
  readonly compare?: boolean
}

const own = "the app's own setup: a hand-written CREATE script on a new :memory: database per test"
const variants: readonly Variant[] = [
  { name: own, label: 'own', env: { BENCH_NEXT_VARIANT: 'own' } },
  { name: "the same and a second, empty setup file (what Vitest charges for the plugin's)", label: 'control', env: { BENCH_NEXT_VARIANT: 'control' }, ref: own },
  { name: 'plugin, the Drizzle migrations in its options', label: 'plugin', env: { BENCH_NEXT_VARIANT: 'plugin' }, ref: own },
  ...(args.compare
    ? [{ name: `the same, the plugin as built in ${args.compare}`, label: 'compare', env: { BENCH_NEXT_VARIANT: 'plugin' }, ref: own, compare: true }]
    : []),
  ...(args['compile-cache']
    ? [{ name: "the app's own setup, its workers with Node's compile cache", label: 'own+cache', env: { BENCH_NEXT_VARIANT: 'own', BENCH_NEXT_COMPILE_CACHE: 'compile-cache' }, ref: own }]
    : []),
]

/** What one run's files spent inside the workers (see the sample's timing-reporter.ts). */
interface Inside {
  readonly database: number
  readonly pure: number
  readonly pureSetup: number
  readonly pureTests: number
}

const kinds = ['wall', 'database', 'pure', 'pureSetup', 'pureTest', 'pureCpu'] as const
type Kind = (typeof kinds)[number]

async function main(): Promise<void> {
  const started = performance.now()
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-nextjs-app-'))
  const rounds = Number(args.rounds)
  try {
    const root = path.join(scratch, 'nextjs-app')
    const compared = path.join(scratch, 'nextjs-app-compared')
    const roots = args.compare ? [root, compared] : [root]
    writeNextjsApp(root)
    installPackage(root, scratch)
    if (args.compare) {
      writeNextjsApp(compared)
      installPackage(compared, scratch, [], path.resolve(args.compare))
    }
    const node = suiteNode(args, scratch, roots)
    const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
    const timings = path.join(scratch, 'timings.jsonl')
    const cpu = path.join(scratch, 'cpu-per-test.txt')
    const tmp = path.join(scratch, 'tmp')
    fs.mkdirSync(tmp)
    const tests = (databaseFiles + pureFiles) * testsPerFile
    const run = async (variant: Variant): Promise<Record<Kind, number>> => {
      const cache = variant.env.BENCH_NEXT_COMPILE_CACHE
      const env = { ...variant.env, ...(cache ? { BENCH_NEXT_COMPILE_CACHE: path.join(scratch, cache) } : {}), BENCH_NEXT_TIMINGS: timings, BENCH_NEXT_CPU: cpu, SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'cache'), TMPDIR: tmp }
      fs.rmSync(cpu, { force: true })
      const wall = await timeSuiteRun(variant.compare ? compared : root, env, variant.name, node, tests)
      const inside = JSON.parse(fs.readFileSync(timings, 'utf8').trim().split('\n').at(-1) as string) as Inside
      const cpuPerTest = fs.readFileSync(cpu, 'utf8').trim().split('\n').map(Number)
      return {
        wall,
        database: inside.database / databaseFiles,
        pure: inside.pure / pureFiles,
        pureSetup: inside.pureSetup / pureFiles,
        pureTest: inside.pureTests / (pureFiles * testsPerFile),
        // us per test, as ms like the rest: the median of the pure files'.
        pureCpu: ([...cpuPerTest].sort((a, b) => a - b)[Math.floor(cpuPerTest.length / 2)] as number) / 1000,
      }
    }
    progress(`Next.js-like app suite on Node ${nodeVersion}: ${databaseFiles + pureFiles} files (${databaseFiles} with a database), ${tests} tests; 1 warm-up + ${rounds} rounds each, alternating`)
    const samples = new Map(variants.map((variant) => [variant, Object.fromEntries(kinds.map((kind) => [kind, [] as number[]])) as Record<Kind, number[]>]))
    for (const variant of variants) await run(variant)
    for (let round = 0; round < rounds; round++) {
      // Alternate which variant goes first, so a drift in the machine's load hits both alike.
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        const result = await run(variant)
        for (const kind of kinds) samples.get(variant)?.[kind].push(result[kind])
        progress(
          `  ${variant.label}: ${formatMs(result.wall)} (per database file ${formatMs(result.database)}, per other file ${formatMs(result.pure)}, ` +
            `its setup files ${formatMs(result.pureSetup)}, per test there ${formatMs(result.pureTest)}, CPU ${formatMs(result.pureCpu)})`,
        )
      }
    }
    const suite = `on Node ${nodeVersion}: vitest run, Next.js-like app, ${databaseFiles + pureFiles} files (${databaseFiles} with a database), ${tests} tests`
    const groups: Record<Kind, string> = {
      wall: `suite ${suite} (wall time)`,
      database: `per database file ${suite} (setup + import + tests, in the worker)`,
      pure: `per file that never touches the database ${suite} (setup + import + tests, in the worker)`,
      pureSetup: `setup files of a file that never touches the database ${suite} (in the worker)`,
      pureTest: `per test that never touches the database ${suite} (the test's own duration, in the worker)`,
      pureCpu: `per test that never touches the database ${suite} (the process's CPU time from a file's first test to its last, per test: median of the files)`,
    }
    const rows = withRatios(
      kinds.flatMap((kind): (RowSpec & Measurement)[] =>
        variants.map((variant) => ({
          group: groups[kind],
          name: variant.name,
          kind: variant.ref === undefined ? ('baseline' as const) : ('plugin' as const),
          ...(variant.ref === undefined ? {} : { ref: variant.ref }),
          ...summarize(samples.get(variant)?.[kind] ?? []),
        })),
      ),
    )
    // On a shared machine the load drifts from round to round: each round's ratio to the run of
    // the app's own setup beside it says more than the ratio of medians.
    const base = samples.get(variants[0] as Variant) as Record<Kind, number[]>
    const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
    const paired = Object.fromEntries(
      variants.slice(1).map((variant) => {
        const mine = samples.get(variant) as Record<Kind, number[]>
        return [
          variant.label,
          {
            wallRatio: mine.wall.map((ms, round) => Number((ms / (base.wall[round] as number)).toFixed(3))),
            pureTestUs: mine.pureTest.map((ms, round) => Number(((ms - (base.pureTest[round] as number)) * 1000).toFixed(1))),
            pureCpuUs: mine.pureCpu.map((ms, round) => Number(((ms - (base.pureCpu[round] as number)) * 1000).toFixed(1))),
            pureSetupMs: mine.pureSetup.map((ms, round) => Number((ms - (base.pureSetup[round] as number)).toFixed(2))),
            pureFileMs: mine.pure.map((ms, round) => Number((ms - (base.pure[round] as number)).toFixed(2))),
          },
        ]
      }),
    )
    process.stdout.write(`${formatTable(rows)}\n\npaired, each round against the app's own setup in the same round:\n`)
    for (const [name, pair] of Object.entries(paired)) {
      const line = (label: string, values: readonly number[], unit: string) =>
        `    ${label}: ${values.map((v) => `${v}${unit}`).join(', ')} (median ${median(values)}${unit}, range ${Math.min(...values)}-${Math.max(...values)}${unit})\n`
      process.stdout.write(`  ${name}:\n`)
      process.stdout.write(line('wall time ratio', pair.wallRatio, 'x'))
      process.stdout.write(line('per test that never touches the database, over the own setup', pair.pureTestUs, ' us'))
      process.stdout.write(line('the same in CPU time (first test to last, hooks included)', pair.pureCpuUs, ' us'))
      process.stdout.write(line("per such file, its setup files, over the own setup's", pair.pureSetupMs, ' ms'))
      process.stdout.write(line('per such file, setup + import + tests, over the own setup', pair.pureFileMs, ' ms'))
    }
    const json = writeJson(repoRoot, machineInfo(), rows, { suiteNode: nodeVersion, rounds, paired }, `nextjs-app-node${nodeVersion.split('.')[0]?.slice(1)}`)
    progress(`done in ${formatMs(performance.now() - started)}; figures in ${json}`)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
