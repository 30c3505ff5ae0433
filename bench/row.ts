import type { Budget, Measurement } from './measure.js'

/**
 * One line of the report. A `floor` is what the same work costs without the plugin (the
 * bound the plugin is judged against); `ref` names the row this one is compared with.
 */
export interface RowSpec {
  /** The section of the table: a template size, write speed, or the suite. */
  readonly group: string
  readonly name: string
  readonly kind: 'floor' | 'plugin' | 'baseline' | 'experiment'
  /** The row of the same group this one is divided by in the "x ref" column. */
  readonly ref?: string
  /** The migrate-per-test row of the same group, for the "x migrate" column. */
  readonly migrate?: string
}

/** A row to measure: its spec, the work of one test, and how long to measure it. */
export interface RowTask extends RowSpec {
  readonly fn: () => unknown
  readonly budget?: Budget
}

/** A measured row with its ratios. */
export interface RowResult extends RowSpec, Measurement {
  /** median / the ref row's median. */
  readonly xRef?: number
  /** median / the migrate-per-test row's median. */
  readonly xMigrate?: number
}

/** Fills in the ratio columns from the other rows' medians. */
export function withRatios(rows: readonly (RowSpec & Measurement)[]): RowResult[] {
  return rows.map((row) => {
    // References name rows of the same group: each template size has its own floors.
    const median = (name: string | undefined) =>
      rows.find((other) => other.group === row.group && other.name === name)?.medianMs
    const ref = median(row.ref)
    const migrate = median(row.migrate)
    return {
      ...row,
      ...(ref === undefined ? {} : { xRef: row.medianMs / ref }),
      ...(migrate === undefined ? {} : { xMigrate: row.medianMs / migrate }),
    }
  })
}
