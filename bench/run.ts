// `npm run bench`: what one test's database costs, side by side, in one run. See bench/README.md.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { measure, quick } from './measure.js'
import { failureAidRows } from './failure-aids.js'
import { perTestRows, writeRows } from './per-test.js'
import { formatMs, formatTable, machineInfo, writeJson } from './report.js'
import { withRatios, type RowSpec, type RowTask } from './row.js'
import type { Measurement } from './measure.js'
import { suiteRows, variantName, type SuiteVariant } from './suite.js'
import { checkTargets, formatTargets } from './targets.js'
import { largeTemplate, smallTemplate } from './templates.js'

const { values: args } = parseArgs({
  options: {
    /** Skip the Vitest runs (the slowest part). */
    'skip-suite': { type: 'boolean', default: false },
    /** Timed Vitest runs per variant. */
    rounds: { type: 'string', default: '3' },
    /** Also run the suite in file mode. */
    'suite-file-mode': { type: 'boolean', default: false },
    /** Skip the suite runs with isolate: false. */
    'skip-shared': { type: 'boolean', default: false },
    /** Only the Vitest runs (no per-test rows). */
    'suite-only': { type: 'boolean', default: false },
    /** Only the suite variants that compare the plugin with its floors: no database, hand-written, memory mode. */
    'suite-core': { type: 'boolean', default: false },
    /** Run the Vitest suites on this Node binary, with the better-sqlite3 built for it in `--driver` (see bench/other-node.ts). */
    'node-bin': { type: 'string' },
    driver: { type: 'string' },
  },
})

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const progress = (line: string) => process.stderr.write(`${line}\n`)

async function measureAll(tasks: readonly RowTask[]): Promise<(RowSpec & Measurement)[]> {
  const measured: (RowSpec & Measurement)[] = []
  for (const { fn, budget, ...spec } of tasks) {
    const result = await measure(spec.name, fn, budget ?? quick)
    progress(`  ${spec.group} | ${spec.name}: ${formatMs(result.medianMs)}`)
    measured.push({ ...spec, ...result })
  }
  return measured
}

async function main(): Promise<void> {
  const started = performance.now()
  // Everything the bench writes (templates, clones, the suite's cache and TMPDIR) goes here.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-bench-'))
  const machine = machineInfo()
  progress(`sqlite-fixtures bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, SQLite ${machine.sqlite}`)
  progress(`scratch dir: ${scratch}`)
  try {
    const small = await smallTemplate(scratch)
    const templates = [small]
    const rows: (RowSpec & Measurement)[] = []
    if (!args['suite-only']) {
      rows.push(...(await measureAll([...perTestRows(small, scratch, false), ...writeRows(small, scratch)])))
      progress('statement log and teardown check, 0.5 MB template (interleaved)...')
      rows.push(...(await failureAidRows(small, scratch, false)))
      progress('building the ~50 MB template...')
      const large = await largeTemplate(scratch)
      templates.push(large)
      progress(`  ${(large.template.image.length / 2 ** 20).toFixed(1)} MiB`)
      rows.push(...(await measureAll(perTestRows(large, scratch, true))))
      progress('statement log and teardown check, 50 MB template (interleaved)...')
      rows.push(...(await failureAidRows(large, scratch, true)))
    }

    if (!args['skip-suite']) {
      const isolation = args['skip-shared'] ? [true] : [true, false]
      const variants: SuiteVariant[] = isolation.flatMap((isolate): SuiteVariant[] => [
        { store: 'off', isolate, touch: 'all' },
        { store: 'floor', isolate, touch: 'all' },
        { store: 'memory', isolate, touch: 'all' },
        ...(args['suite-core']
          ? []
          : [
              { store: 'memory', isolate, touch: 'none' } as const,
              { store: 'memory', isolate, touch: 'half' } as const,
              { store: 'savepoint', isolate, touch: 'all' } as const,
            ]),
        ...(args['suite-file-mode'] ? [{ store: 'file', isolate, touch: 'all' } as const] : []),
      ])
      progress(`vitest runs of fixtures/bench-suite (${variants.map(variantName).join('; ')}), 1 warm-up + ${args.rounds} each...`)
      const report = (variant: SuiteVariant, ms: number) => progress(`  ${variantName(variant)}: ${formatMs(ms)}`)
      const other = args['node-bin'] && args.driver ? { node: args['node-bin'], driver: args.driver } : undefined
      if (other) progress(`  on ${other.node}, better-sqlite3 from ${other.driver}`)
      rows.push(...(await suiteRows(small, scratch, variants, Number(args.rounds), report, other)))
    }
    for (const t of templates) {
      t.memory.close()
      t.file.close()
      t.savepoint.close()
    }

    const results = withRatios(rows)
    const targets = checkTargets(results)
    const sizes = { smallBytes: small.template.image.length, largeBytes: templates[1]?.template.image.length }
    const json = writeJson(repoRoot, machine, results, { targets, templates: sizes })
    console.log(formatTable(results))
    console.log('\nTargets')
    console.log(formatTargets(targets))
    console.log(
      `\n${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}; node ${machine.node}, ` +
        `better-sqlite3 ${machine.betterSqlite3}, SQLite ${machine.sqlite}, vitest ${machine.vitest}` +
        (machine.glibcTunables ? `; GLIBC_TUNABLES=${machine.glibcTunables}` : ''),
    )
    console.log(`templates: ${(sizes.smallBytes / 2 ** 20).toFixed(2)} MiB${sizes.largeBytes === undefined ? '' : ` and ${(sizes.largeBytes / 2 ** 20).toFixed(1)} MiB`}`)
    console.log(`total ${formatMs(performance.now() - started)}; JSON: ${path.relative(process.cwd(), json)}`)
  } catch (error) {
    progress(`bench failed; kept its scratch dir: ${scratch}`)
    throw error
  }
  fs.rmSync(scratch, { recursive: true, force: true })
}

await main()
