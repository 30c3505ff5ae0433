// The D1 sample's per-test cost in the real Workers runtime: a fresh D1 database per test by
// the plugin's file swap, by its one-batch restore, by the pool's documented
// reset() + applyD1Migrations() + seed, and by per-file isolation (one test per file, the file
// migrated and seeded in a beforeAll: the pool's own storage per file), with a small (200 rows)
// and a large (50,000 rows) seed. Rounds alternate the ways.
// - per test, in one file: from one test's body to the next one's (the fresh database, and the
//   first query opening it, included), median over the tests, less the floor's (the same file
//   migrated once, no fresh database per test); and the hooks' share alone (end of one test to
//   the next one's body), the part the prototype timed.
// - per-file isolation: (wall time of 10 one-test files - wall time of one file of 10 tests) / 9.
// Run: npm run bench:d1 (after npm run build, and `npm ci` in fixtures/d1-app).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// BENCH_SAMPLE: a copy of the sample (with its own packed sqlite-fixtures), so a build in the
// worktree cannot change the code under measurement.
const sample = process.env.BENCH_SAMPLE ?? fileURLToPath(new URL('../fixtures/d1-app/', import.meta.url))
const ways = ['once', 'swap', 'batch', 'reset'] as const
const rounds = Number(process.env.ROUNDS ?? 3)
const testsPerFile = 40
const perFileFiles = 10

function seedFile(dir: string, notes: number): string {
  const authors = 20
  const lines = [`INSERT INTO authors (id, name) VALUES ${Array.from({ length: authors }, (_, i) => `(${i + 1}, 'author ${i + 1}')`).join(', ')};`]
  for (let start = 0; start < notes; start += 500) {
    const count = Math.min(500, notes - start)
    lines.push(`INSERT INTO notes (author_id, body) VALUES ${Array.from({ length: count }, (_, i) => `(${((start + i) % authors) + 1}, 'note ${start + i} ${'x'.repeat(32)}')`).join(', ')};`)
  }
  const file = path.join(dir, `seed-${notes}.sql`)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

interface Times {
  before: number[]
  cycle: number[]
}

function runSample(way: string, seed: string, tmp: string, env: Record<string, string> = {}): { stdout: string; ms: number } {
  const started = performance.now()
  const result = spawnSync(process.execPath, [path.join(sample, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.bench.config.ts'], {
    cwd: sample,
    env: { ...process.env, BENCH_WAY: way, BENCH_SEED: seed, TMPDIR: tmp, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  })
  const ms = performance.now() - started
  if (result.status !== 0) throw new Error(`the ${way} run failed:\n${result.stdout}${result.stderr}`)
  return { stdout: result.stdout, ms }
}

function timesOf(way: string, seed: string, tmp: string): Times {
  const { stdout } = runSample(way, seed, tmp, { BENCH_TESTS: String(testsPerFile) })
  const line = /BENCH_TIMES (\{.*\})/.exec(stdout)?.[1]
  if (line === undefined) throw new Error(`the ${way} run printed no times:\n${stdout}`)
  return JSON.parse(line) as Times
}

/** Per-file isolation: one test per file, each file migrated and seeded by the floor's beforeAll. */
function perFileCost(seed: string, tmp: string, folder: string): number {
  const oneFile = runSample('once', seed, tmp, { BENCH_TESTS: String(perFileFiles) }).ms
  const files = runSample('once', seed, tmp, { BENCH_INCLUDE: `${path.relative(sample, folder)}/*.test.ts` }).ms
  return (files - oneFile) / (perFileFiles - 1)
}

function writePerFileTests(folder: string): void {
  fs.mkdirSync(folder, { recursive: true })
  for (let i = 0; i < perFileFiles; i++) {
    fs.writeFileSync(
      path.join(folder, `file-${i}.test.ts`),
      `import { env } from 'cloudflare:test'
import { expect, test } from 'vitest'

test('the only test of file ${i}', async () => {
  await env.DB.prepare('INSERT INTO notes (author_id, body) VALUES (1, ?)').bind('file ${i}').run()
  expect(await env.DB.prepare('SELECT count(*) AS n FROM notes WHERE body = ?').bind('file ${i}').first('n')).toBe(1)
})
`,
    )
  }
}

const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b)
const quantile = (values: readonly number[], q: number) => sorted(values)[Math.floor((values.length - 1) * q)] as number
const median = (values: readonly number[]) => quantile(values, 0.5)
const spread = (values: readonly number[], less = 0) => `${quantile(values, 0.25) - less}-${quantile(values, 0.75) - less}`

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-d1-'))
const perFileFolder = path.join(sample, 'bench', `per-file-${process.pid}`)
try {
  const tmp = path.join(scratch, 'tmp')
  fs.mkdirSync(tmp)
  writePerFileTests(perFileFolder)
  for (const notes of (process.env.SEEDS ?? '180,50000').split(',').map(Number)) {
    const seed = seedFile(scratch, notes)
    const times: Record<string, Times> = Object.fromEntries(ways.map((way) => [way, { before: [], cycle: [] }]))
    const perFile: number[] = []
    for (let round = 0; round < rounds; round++) {
      for (const way of round % 2 === 0 ? ways : [...ways].reverse()) {
        const { before, cycle } = timesOf(way, seed, tmp)
        times[way]?.before.push(...before)
        times[way]?.cycle.push(...cycle)
      }
      perFile.push(perFileCost(seed, tmp, perFileFolder))
    }
    const floor = times.once as Times
    const floorCycle = median(floor.cycle)
    const floorBefore = median(floor.before)
    console.log(`seed of ${notes + 20} rows; ${rounds} rounds of ${testsPerFile - 1} tests per way, the ways alternating (whole ms; p25-p75 after the median):`)
    console.log(`  floor (migrated once per file, no fresh database): a test ${floorCycle} ms (${spread(floor.cycle)}), between two tests ${floorBefore} ms`)
    for (const way of ways.slice(1)) {
      const { before, cycle } = times[way] as Times
      console.log(
        `  ${way.padEnd(6)} per test ${median(cycle) - floorCycle} ms over the floor (${spread(cycle, floorCycle)}); in the hooks between two tests ${median(before) - floorBefore} ms (${spread(before, floorBefore)})`,
      )
    }
    console.log(`  per-file isolation (${perFileFiles} one-test files against one file of ${perFileFiles} tests): ${Math.round(median(perFile))} ms per test (rounds: ${perFile.map(Math.round).join(', ')})`)
  }
} finally {
  fs.rmSync(perFileFolder, { recursive: true, force: true })
  fs.rmSync(scratch, { recursive: true, force: true })
}
