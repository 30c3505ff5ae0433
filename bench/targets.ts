// The performance targets from the project issue, checked against a run's rows.
import type { RowResult } from './row.js'

/** One target and whether this run met it. */
export interface TargetResult {
  readonly target: string
  readonly measured: string
  readonly met: boolean
}

/** How far over its floor the plugin may be. */
const withinFactor = 1.25
/** What "nothing measurable" means for a test that never touches the database. */
const noTouchBudgetUs = 5

function row(rows: readonly RowResult[], group: string, name: string): RowResult | undefined {
  return rows.find((r) => r.group.startsWith(group) && r.name === name)
}

function ratioTarget(target: string, measured: RowResult | undefined): TargetResult[] {
  if (measured?.xRef === undefined) return []
  return [{ target, measured: `${measured.xRef.toFixed(2)}x`, met: measured.xRef <= withinFactor }]
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
  for (const suite of rows.filter((r) => r.group.startsWith('suite') && r.kind === 'plugin')) {
    results.push(...ratioTarget(`1,000-test suite within 1.25x of the no-database suite (${suite.name})`, suite))
  }
  return results
}

export function formatTargets(results: readonly TargetResult[]): string {
  return results.map((r) => `${r.met ? 'MET    ' : 'NOT MET'}  ${r.measured.padStart(9)}  ${r.target}`).join('\n')
}
