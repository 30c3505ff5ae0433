import { stripVTControlCharacters } from 'node:util'
// The suite-level figure: the real Vitest, in a child process as `vitest run` would be, on
// a copy of fixtures/bench-suite (1,000 tests that each write a row) with the packed
// package installed under its node_modules, with and without the plugin.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { installSample } from './install.js'
import { summarize } from './measure.js'
import type { RowSpec } from './row.js'
import type { Measurement } from './measure.js'
import type { BenchTemplate } from './templates.js'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const vitestBin = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')

/** Files in the sample; a per-file cost is a difference of suite times divided by this. */
export const suiteFiles = 20

/** How the sample project's tests store their row (`BENCH_SUITE_DB`). */
export type SuiteStore = 'off' | 'floor' | 'memory' | 'file' | 'savepoint'

/** Which files' tests use the database (`BENCH_SUITE_TOUCH`); the others write to an array. */
export type SuiteTouch = 'all' | 'half' | 'none'

/** One way of running the sample project. */
export interface SuiteVariant {
  readonly store: SuiteStore
  /** Vitest's `isolate`: true (its default) runs each test file in a fresh process. */
  readonly isolate: boolean
  readonly touch: SuiteTouch
}

const storeNames: Record<SuiteStore, string> = {
  off: 'no database (tests write to an array)',
  floor: 'hand-written floor (each test: new Database(template bytes), foreign keys on, close)',
  memory: 'plugin, memory mode',
  file: 'plugin, file mode',
  savepoint: "plugin, isolation 'savepoint'",
}

const touchNames: Record<SuiteTouch, string> = {
  all: '',
  half: ', half the files never touch the database',
  none: ', no file touches the database',
}

export function variantName({ store, isolate, touch }: SuiteVariant): string {
  return `${storeNames[store]}${store === 'off' || store === 'floor' ? '' : touchNames[touch]}${isolate ? '' : ', isolate: false'}`
}

/**
 * One `vitest run` of an installed copy of a sample, in a child process (by `node`, the
 * running Node unless told), with `env` over this process's, which must pass `tests` tests;
 * resolves to its wall time in ms.
 */
export function timeSuiteRun(project: string, env: Record<string, string>, label: string, node = process.execPath, tests = 1000): Promise<number> {
  const started = performance.now()
  const child = spawn(node, [vitestBin, 'run', '--root', project], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      const elapsed = performance.now() - started
      // Strip colours before reading the summary line ("Tests  1000 passed (1000)").
      const plain = stripVTControlCharacters(output)
      if (code !== 0 || !new RegExp(`Tests\\s+${tests} passed`).test(plain)) {
        reject(new Error(`vitest run of ${project} (${label}) failed (exit ${code}):\n${plain}`))
      } else {
        resolve(elapsed)
      }
    })
  })
}

/** One `vitest run` of the installed sample; resolves to its wall time in ms. */
function runOnce({ store, isolate, touch }: SuiteVariant, t: BenchTemplate, project: string, scratch: string, node?: string): Promise<number> {
  const tmp = path.join(scratch, 'suite-tmp')
  fs.mkdirSync(tmp, { recursive: true })
  const env = {
    BENCH_SUITE_DB: store,
    BENCH_SUITE_ISOLATE: String(isolate),
    BENCH_SUITE_TOUCH: touch,
    BENCH_SUITE_SCHEMA: t.files.schema,
    BENCH_SUITE_SEED: t.files.seed,
    BENCH_SUITE_TEMPLATE: t.template.file,
    SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'suite-cache'),
    TMPDIR: tmp,
  }
  return timeSuiteRun(project, env, variantName({ store, isolate, touch }), node)
}

/** Another Node to run the suite on, and the better-sqlite3 built for it (`--node-bin`, `--driver`). */
export interface OtherNode {
  readonly node: string
  readonly driver: string
}

/**
 * Installs the packed package into a copy of the sample, runs each variant once to warm
 * caches (the template, Vite's transform cache), then `rounds` times, alternating, so
 * drift in the machine hits every variant alike.
 */
export async function suiteRows(
  t: BenchTemplate,
  scratch: string,
  variants: readonly SuiteVariant[],
  rounds: number,
  onRun: (variant: SuiteVariant, ms: number) => void = () => {},
  other?: OtherNode,
): Promise<(RowSpec & Measurement)[]> {
  const project = installSample('bench-suite', scratch)
  if (other) {
    fs.rmSync(path.join(project, 'node_modules/better-sqlite3'))
    fs.symlinkSync(other.driver, path.join(project, 'node_modules/better-sqlite3'), 'dir')
  }
  const times = new Map<SuiteVariant, number[]>(variants.map((variant) => [variant, []]))
  for (const variant of variants) await runOnce(variant, t, project, scratch, other?.node)
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const ms = await runOnce(variant, t, project, scratch, other?.node)
      times.get(variant)?.push(ms)
      onRun(variant, ms)
    }
  }
  const group = `suite: vitest run, ${suiteFiles} files x 50 tests writing a row, ${t.label} template (wall time)`
  return variants.map((variant) => ({
    group,
    name: variantName(variant),
    kind: variant.store === 'off' || variant.store === 'floor' ? 'floor' : 'plugin',
    // Each plugin variant is compared with the no-database run of the same isolation.
    ...(variant.store === 'off' ? {} : { ref: variantName({ store: 'off', isolate: variant.isolate, touch: 'all' }) }),
    ...summarize(times.get(variant) ?? []),
  }))
}
