// The D1 sample's per-test cost in the real Workers runtime: a fresh D1 database per test by
// the plugin's file swap, by its one-batch restore, and by the pool's documented
// reset() + applyD1Migrations() + seed, with a small (200 rows) and a large (50,000 rows)
// seed. Rounds alternate the ways; the figure is the median gap between two tests, less the
// floor's (the same file migrated once, with no fresh database per test).
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

function gapsOf(way: string, seed: string, tmp: string): number[] {
  const result = spawnSync(process.execPath, [path.join(sample, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.bench.config.ts'], {
    cwd: sample,
    env: { ...process.env, BENCH_WAY: way, BENCH_SEED: seed, TMPDIR: tmp, NO_COLOR: '1' },
    encoding: 'utf8',
  })
  const line = /BENCH_GAPS (\[.*\])/.exec(result.stdout)?.[1]
  if (line === undefined) throw new Error(`the ${way} run printed no gaps:\n${result.stdout}${result.stderr}`)
  return JSON.parse(line) as number[]
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-d1-'))
try {
  const tmp = path.join(scratch, 'tmp')
  fs.mkdirSync(tmp)
  for (const notes of (process.env.SEEDS ?? '180,50000').split(',').map(Number)) {
    const seed = seedFile(scratch, notes)
    const gaps: Record<string, number[]> = { once: [], swap: [], batch: [], reset: [] }
    for (let round = 0; round < rounds; round++) for (const way of round % 2 === 0 ? ways : [...ways].reverse()) gaps[way]?.push(...gapsOf(way, seed, tmp))
    const rows = notes + 20
    console.log(`seed of ${rows} rows, ${rounds} rounds of 39 gaps each, ways alternating:`)
    const floor = median(gaps.once as number[])
    console.log(`  floor (migrated once per file, no fresh database): median gap ${floor} ms (Vitest's own cost per test in the pool)`)
    for (const way of ways.slice(1)) {
      const gap = median(gaps[way] as number[])
      console.log(`  ${way.padEnd(6)} median gap ${gap} ms, ${gap - floor} ms over the floor`)
    }
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true })
}
