// The cost of what makes failures explain themselves: the statement log (`sqlLog`) and the
// integrity check at teardown (`integrity`), on and off, for the same writing test.
import path from 'node:path'
import type Database from 'better-sqlite3'
import { resolveOptions, type SqliteFixturesOptions } from '../src/core/base/options.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { summarize, type Measurement } from './measure.js'
import type { RowSpec } from './row.js'
import { firstQuerySql, insertOneSql } from './schema.js'
import type { BenchTemplate } from './templates.js'

const off = 'log off, check off'

/** A test that reads, writes a row, and reads 10 rows by id: 12 statements. */
function writingTest(db: Database.Database): void {
  db.prepare(firstQuerySql).get()
  db.prepare(insertOneSql()).run()
  const byId = db.prepare('select * from tenants where id = ?')
  for (let id = 1; id <= 10; id++) byId.get(id)
}

function thousandSelects(db: Database.Database): void {
  const byId = db.prepare('select * from tenants where id = ?')
  for (let i = 0; i < 1_000; i++) byId.get((i % 25) + 1)
}

interface Variant {
  readonly name: string
  readonly runtime: FixtureRuntime
  readonly body: (db: Database.Database) => void
}

/** One test: a scope, the body on its database, teardown (and the check). */
async function oneTest({ runtime, body }: Variant): Promise<number> {
  const started = performance.now()
  const scope = runtime.openScope('bench')
  body(scope.get('db'))
  await scope.dispose()
  return performance.now() - started
}

/**
 * Measures the variants interleaved (a few iterations of each in turn, round after round), so
 * the drift of a shared machine hits them alike and their ratios hold within the run.
 */
async function interleaved(variants: readonly Variant[], rounds: number, perRound: number): Promise<Map<Variant, number[]>> {
  const samples = new Map(variants.map((variant) => [variant, [] as number[]]))
  for (const variant of variants) await oneTest(variant) // warm-up: JIT, the first statement's schema parse
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      for (let i = 0; i < perRound; i++) samples.get(variant)?.push(await oneTest(variant))
    }
  }
  return samples
}

/**
 * Memory-mode rows for one template size. The default check runs `foreign_key_check` only
 * when a statement turned keys off or deferred them, so a row whose test sets
 * `foreign_keys = OFF` shows what the scan itself costs.
 */
export async function failureAidRows(t: BenchTemplate, scratch: string, large: boolean): Promise<(RowSpec & Measurement)[]> {
  const group = `statement log and teardown check, per writing test (12 statements), ${t.label} template`
  const runtimes: FixtureRuntime[] = []
  const variant = async (name: string, options: SqliteFixturesOptions, body = writingTest): Promise<Variant> => {
    const runtime = new FixtureRuntime(
      resolveOptions({ schema: [t.files.schema], seed: [t.files.seed], cacheDir: path.join(scratch, 'cache'), rootDir: scratch, ...options }),
    )
    runtimes.push(runtime)
    await runtime.prepare()
    return { name, runtime, body }
  }
  const keysOff = (db: Database.Database) => {
    db.pragma('foreign_keys = OFF')
    writingTest(db)
  }
  const cheap = [
    await variant(off, { sqlLog: false, integrity: false }),
    await variant('log on (50), check off', { integrity: false }),
    await variant('log off, check on (watching statements)', { sqlLog: false }),
    await variant('log on, check on (the defaults)', {}),
  ]
  const expensive = [
    await variant('defaults, test sets foreign_keys = OFF: check runs foreign_key_check', {}, keysOff),
    await variant("integrity 'full': check runs foreign_key_check + integrity_check", { integrity: 'full' }),
  ]
  const rows = (group: string, variants: readonly Variant[], samples: Map<Variant, number[]>) =>
    variants.map((v) => ({
      group,
      name: v.name,
      kind: v.name === off ? ('floor' as const) : ('plugin' as const),
      ...(v.name === off ? {} : { ref: off }),
      ...summarize(samples.get(v) ?? []),
    }))
  try {
    if (large) {
      const variants = [cheap[0], cheap[3], ...expensive] as Variant[]
      return rows(group, variants, await interleaved(variants, 3, 1))
    }
    const variants = [...cheap, ...expensive]
    const measured = rows(group, variants, await interleaved(variants, 100, 10))
    // What the log costs per statement, where statements, not the copy, are most of the test.
    const selects = [
      { ...(cheap[0] as Variant), body: thousandSelects },
      { ...(cheap[3] as Variant), body: thousandSelects },
    ]
    const perStatement = `statement log, a test running 1,000 point selects, ${t.label} template`
    return [...measured, ...rows(perStatement, selects, await interleaved(selects, 30, 3))]
  } finally {
    for (const runtime of runtimes) runtime.close()
  }
}
