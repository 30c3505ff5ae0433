// What a test that never touches the database pays, in one warm worker: a file of 1,000 trivial
// async tests run by the real Vitest, the process's CPU time from its second test to its last,
// per test (hooks and the runner's work between tests included). Variants, alternating round
// by round: no plugin, an empty `aroundEach` of the project's own (what Vitest charges for the
// hook the plugin needs), the plugin, and `--compare <checkout>`'s build of it. `--node-bin
// <node> --driver <better-sqlite3 dir>` runs it on another Node; `--rounds N`, `--awaits N`
// (awaits per test, 1 by default). See bench/README.md.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { installPackage } from './install.js'
import { quantile } from './measure.js'
import { suiteNode } from './other-node.js'
import { timeSuiteRun } from './suite.js'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    awaits: { type: 'string', default: '1' },
    tests: { type: 'string', default: '1000' },
    'node-bin': { type: 'string' },
    driver: { type: 'string' },
    /** Also the plugin as built in this checkout (its `npm run build` first). */
    compare: { type: 'string' },
  },
})

const testFile = `import fs from 'node:fs'
import { test } from 'vitest'

const tests = Number(process.env.BENCH_NO_DB_TESTS)
const awaits = Number(process.env.BENCH_NO_DB_AWAITS)
let cpu: NodeJS.CpuUsage | undefined
for (let i = 0; i < tests; i++) {
  test(\`test \${i}\`, async () => {
    if (i === 1) cpu = process.cpuUsage()
    for (let k = 0; k < awaits; k++) await null
    if (i === tests - 1 && cpu) {
      const used = process.cpuUsage(cpu)
      fs.writeFileSync(process.env.BENCH_NO_DB_OUT as string, String((used.user + used.system) / (tests - 2)))
    }
  })
}
`

/** The sample: BENCH_NO_DB_VARIANT is none, around (an empty aroundEach setup file) or plugin. */
function writeSample(root: string): void {
  fs.mkdirSync(path.join(root, 'tests'), { recursive: true })
  fs.writeFileSync(path.join(root, 'tests/no-db.test.ts'), testFile)
  fs.writeFileSync(path.join(root, 'schema.sql'), 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n')
  fs.writeFileSync(path.join(root, 'around.ts'), "import { aroundEach } from 'vitest'\n\naroundEach(async (runTest) => {\n  await runTest()\n})\n")
  fs.writeFileSync(
    path.join(root, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config'
import { sqliteFixtures } from 'sqlite-fixtures/vitest'

const variant = process.env.BENCH_NO_DB_VARIANT
export default defineConfig({
  plugins: variant === 'plugin' ? [sqliteFixtures({ schema: './schema.sql' })] : [],
  test: { include: ['tests/*.test.ts'], ...(variant === 'around' ? { setupFiles: ['./around.ts'] } : {}) },
})
`,
  )
}

interface Variant {
  readonly label: string
  readonly variant: 'none' | 'around' | 'plugin'
  readonly root: 'sample' | 'compared'
}

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-no-db-test-'))
  try {
    const roots = { sample: path.join(scratch, 'sample'), compared: path.join(scratch, 'compared') }
    writeSample(roots.sample)
    installPackage(roots.sample, scratch)
    if (args.compare) {
      writeSample(roots.compared)
      installPackage(roots.compared, scratch, [], path.resolve(args.compare))
    }
    const node = suiteNode(args, scratch, args.compare ? [roots.sample, roots.compared] : [roots.sample])
    const variants: Variant[] = [
      { label: 'no plugin', variant: 'none', root: 'sample' },
      { label: "an empty aroundEach of the project's own", variant: 'around', root: 'sample' },
      { label: 'plugin', variant: 'plugin', root: 'sample' },
      ...(args.compare ? [{ label: `plugin as built in ${args.compare}`, variant: 'plugin', root: 'compared' } as const] : []),
    ]
    const out = path.join(scratch, 'cpu.txt')
    const tmp = path.join(scratch, 'tmp')
    fs.mkdirSync(tmp)
    const tests = Number(args.tests)
    const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]))
    const env = (v: Variant) => ({
      BENCH_NO_DB_VARIANT: v.variant,
      BENCH_NO_DB_TESTS: args.tests,
      BENCH_NO_DB_AWAITS: args.awaits,
      BENCH_NO_DB_OUT: out,
      SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, `cache-${v.root}`),
      TMPDIR: tmp,
    })
    process.stderr.write(`${tests} trivial async tests (${args.awaits} await each) in one file, on ${node}; 1 warm-up + ${args.rounds} rounds, alternating\n`)
    for (const v of variants) await timeSuiteRun(roots[v.root], env(v), v.label, node, tests)
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
        await timeSuiteRun(roots[v.root], env(v), v.label, node, tests)
        samples.get(v)?.push(Number(fs.readFileSync(out, 'utf8')))
      }
    }
    const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
    const none = samples.get(variants[0] as Variant) as number[]
    process.stdout.write(`CPU per test (us), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end:\n`)
    for (const v of variants) {
      const mine = samples.get(v) as number[]
      const over = mine.map((us, round) => us - (none[round] as number))
      process.stdout.write(
        `  ${v.label}: median ${median(mine).toFixed(0)} (rounds ${mine.map((us) => us.toFixed(0)).join(', ')}); ` +
          `over no plugin in the same round: median ${median(over).toFixed(0)} (${over.map((us) => us.toFixed(0)).join(', ')})\n`,
      )
    }
    // The compared build against this one, round by round: a difference of a few microseconds
    // shows here long before it shows in either's own spread.
    const compared = variants.find((v) => v.root === 'compared')
    if (compared) {
      const plugin = samples.get(variants[2] as Variant) as number[]
      const diffs = (samples.get(compared) as number[]).map((us, round) => us - (plugin[round] as number)).sort((a, b) => a - b)
      const at = (q: number) => quantile(diffs, q).toFixed(1)
      process.stdout.write(`  ${compared.label} minus plugin, paired by round: median ${median(diffs).toFixed(1)} (p25 ${at(0.25)}, p75 ${at(0.75)}, ${diffs.length} rounds)\n`)
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
