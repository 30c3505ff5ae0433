// The performance targets from the project issues, checked against a run's rows.
import type { RowResult } from './row.js'
import { suiteFiles } from './suite.js'

/** One target and whether this run met it. */
export interface TargetResult {
  readonly target: string
  readonly measured: string
  readonly met: boolean
}

/** How far over its floor the plugin may be, per test. */
const withinFactor = 1.25
/** What "nothing measurable" means for a test that never touches the database. */
const noTouchBudgetUs = 5

/**
 * Suite goals (issue 13), against the no-database suite of the same isolation: memory mode
 * within 1.10x isolated and 1.25x with `isolate: false`; files that never touch the
 * database within 1.02x. Other suite rows are reported without a goal.
 */
const suiteGoals: readonly { readonly name: string; readonly factor: number }[] = [
  { name: 'plugin, memory mode', factor: 1.1 },
  { name: 'plugin, memory mode, isolate: false', factor: 1.25 },
  { name: 'plugin, memory mode, no file touches the database', factor: 1.02 },
  { name: 'plugin, memory mode, no file touches the database, isolate: false', factor: 1.02 },
]

function row(rows: readonly RowResult[], group: string, name: string): RowResult | undefined {
  return rows.find((r) => r.group.startsWith(group) && r.name === name)
}

function ratioTarget(target: string, measured: RowResult | undefined, factor = withinFactor): TargetResult[] {
  if (measured?.xRef === undefined) return []
  return [{ target, measured: `${measured.xRef.toFixed(2)}x`, met: measured.xRef <= factor }]
}

/** What a file that never touches the database costs over no plugin: the suite difference per file. */
function perFileCost(rows: readonly RowResult[], untouched: RowResult): TargetResult | undefined {
  const floor = rows.find((r) => r.group === untouched.group && r.name === untouched.ref)
  if (!floor) return undefined
  const ms = (untouched.medianMs - floor.medianMs) / suiteFiles
  return { target: `per file that never touches the database, over no plugin: under 2 ms (${untouched.name})`, measured: `${ms >= 0 ? '+' : ''}${ms.toFixed(1)} ms`, met: ms < 2 }
}

/** Memory mode against the hand-written floor suite of the same isolation (issue 18: within 1.05x). */
function overHandWritten(rows: readonly RowResult[], isolate: boolean): TargetResult[] {
  const suffix = isolate ? '' : ', isolate: false'
  const plugin = rows.find((r) => r.group.startsWith('suite') && r.name === `plugin, memory mode${suffix}`)
  const floor = rows.find((r) => r.group.startsWith('suite') && r.name.startsWith('hand-written floor') && r.name.endsWith(suffix === '' ? ', close)' : suffix))
  if (!plugin || !floor) return []
  const ratio = plugin.medianMs / floor.medianMs
  return [{ target: `1,000-test suite within 1.05x of the hand-written floor suite (memory mode${suffix})`, measured: `${ratio.toFixed(2)}x`, met: ratio <= 1.05 }]
}

export function checkTargets(rows: readonly RowResult[]): TargetResult[] {
  const small = 'per test, 0.5 MB'
  const results = [
    ...ratioTarget('memory mode within 1.25x of bare new Database(image) + pragma + query (0.5 MB)', row(rows, small, 'plugin, memory mode')),
    ...ratioTarget('file mode within 1.25x of bare copy + open + query + unlink (0.5 MB)', row(rows, small, 'plugin, file mode')),
  ]
  const noTouch = row(rows, small, 'plugin, test that never touches db')
  const noop = rows.find((r) => r.group === noTouch?.group && r.name === noTouch?.ref)
  if (noTouch && noop) {
    const overheadUs = (noTouch.medianMs - noop.medianMs) * 1000
    results.push({
      target: `a test that never touches the database costs nothing measurable (< ${noTouchBudgetUs} us over an empty async function)`,
      measured: `+${overheadUs.toFixed(2)} us`,
      met: overheadUs < noTouchBudgetUs,
    })
  }
  results.push(...overHandWritten(rows, true), ...overHandWritten(rows, false))
  for (const { name, factor } of suiteGoals) {
    const suite = row(rows, 'suite', name)
    results.push(...ratioTarget(`1,000-test suite within ${factor.toFixed(2)}x of the no-database suite (${name})`, suite, factor))
    if (suite && name.includes('no file touches')) {
      const cost = perFileCost(rows, suite)
      if (cost) results.push(cost)
    }
  }
  return results
}

export function formatTargets(results: readonly TargetResult[]): string {
  return results.map((r) => `${r.met ? 'MET    ' : 'NOT MET'}  ${r.measured.padStart(9)}  ${r.target}`).join('\n')
}
