// Per-test rows measured side by side: every row runs once per round, round after round, so
// load from other processes on a shared machine falls on all of them alike; and the template
// and the plugin's runtime they measure. Used by the driver and ORM benchmarks
// (bench/sqlite3.ts, knex.ts, sequelize.ts).
import fs from 'node:fs'
import path from 'node:path'
import type { Template } from '../src/core/base/index.js'
import { resolveOptions } from '../src/core/base/options.js'
import { runInScope } from '../src/core/lifecycle/owner.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { formatMs } from './report.js'
import { summarize, type Measurement } from './measure.js'
import { type SchemaFiles, seedSql, writeSchemaFiles } from './schema.js'

/** One row: the work of one test, and the row whose median it is divided by. */
export interface InterleavedRow {
  readonly name: string
  /** The row this one is judged against (its floor, or the usual way). */
  readonly ref: string
  /** Run only every `every` rounds (slow rows: the usual way of migrating per test). */
  readonly every?: number
  readonly fn: () => Promise<unknown>
}

/** Runs `warmup` unmeasured rounds, then `rounds` measured ones; returns each row's measurement. */
export async function runInterleaved(rows: readonly InterleavedRow[], rounds: number, warmup = Math.ceil(rounds / 10)): Promise<Map<string, Measurement>> {
  const samples = new Map<string, number[]>(rows.map((row) => [row.name, []]))
  for (let round = -warmup; round < rounds; round++) {
    for (const row of rows) {
      if (row.every !== undefined && round % row.every !== 0) continue
      const started = performance.now()
      await row.fn()
      if (round >= 0) samples.get(row.name)?.push(performance.now() - started)
    }
    if (round >= 0 && (round + 1) % Math.max(1, Math.floor(rounds / 5)) === 0) process.stderr.write(`  round ${round + 1}/${rounds}\n`)
  }
  return new Map([...samples].map(([name, values]) => [name, summarize(values)]))
}

/** Prints the rows: median, p95, samples, and the median over the ref row's. */
export function printInterleaved(title: string, rows: readonly InterleavedRow[], measured: ReadonlyMap<string, Measurement>): void {
  console.log(title)
  for (const row of rows) {
    const m = measured.get(row.name) as Measurement
    const ref = (measured.get(row.ref) as Measurement).medianMs
    console.log(
      `${row.name.padEnd(84)} ${formatMs(m.medianMs).padStart(10)}  p95 ${formatMs(m.p95Ms).padStart(10)}  n ${String(m.samples).padStart(4)}  ` +
        `${(m.medianMs / ref).toFixed(2).padStart(6)}x ${row.ref === row.name ? '(ref)' : `"${row.ref.slice(0, 24)}…"`}`,
    )
  }
}

/** The benchmark's template, and what the rows of a driver's benchmark do with it. */
export interface BenchSetup {
  readonly files: SchemaFiles
  readonly template: Template
  /** Runs `work` as one test of the plugin's (its scope opened, then disposed). */
  inTest(work: () => Promise<unknown>): Promise<void>
  /** A fresh copy of the template file, as a hand-written per-test setup makes one; `remove` deletes it with its journal. */
  copyTemplate(): { file: string; remove(): void }
  close(): void
}

/** Builds the benchmark's template (40 tables, 1,000 rows) in `scratch`, through the plugin's own runtime. */
export async function benchSetup(scratch: string): Promise<BenchSetup> {
  const files = writeSchemaFiles(path.join(scratch, 'schema'), seedSql())
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: scratch, cacheDir: 'cache', tempDir: path.join(scratch, 'tmp'), schema: files.schema, seed: files.seed }))
  const template = await runtime.prepare()
  const copies = path.join(scratch, 'copies')
  fs.mkdirSync(copies)
  let copy = 0
  return {
    files,
    template,
    async inTest(work) {
      const scope = runtime.openScope('bench')
      // Awaited inside: a Knex query is a thenable that runs when awaited, which must be in the test.
      await runInScope(scope, async () => await work())
      await scope.dispose()
    },
    copyTemplate() {
      const file = path.join(copies, `${(copy += 1)}.sqlite`)
      fs.copyFileSync(template.file, file)
      return { file, remove: () => ['', '-journal'].forEach((suffix) => fs.rmSync(file + suffix, { force: true })) }
    },
    close: () => runtime.close(),
  }
}
