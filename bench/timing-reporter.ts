// The timing reporter the app-like samples (bench/libsql-app-sample.ts,
// bench/nextjs-app-sample.ts) write into their projects: per run, one JSON line of sums over
// the test files whose names start with a prefix, from Vitest's own per-file figures.

/** What a sum adds up, per file: its setup files, import and tests (`spent`), its setup files alone, or its tests' own durations. */
type Measure = 'spent' | 'setup' | 'tests'

/** One key of the JSON line: the sum of `measure` over the files whose names start with `prefix`. */
interface TimingSum {
  readonly key: string
  readonly prefix: string
  readonly measure: Measure
}

/** The source of `timing-reporter.ts`: appends the sums to the file named by the environment variable `envVar`, if set. */
export function timingReporterSource(envVar: string, sums: readonly TimingSum[]): string {
  return `import fs from 'node:fs'
import path from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

/** Appends, per run, sums of what the test files spent in the workers, by file-name prefix (${sums.map((sum) => sum.key).join(', ')}). */
export default class TimingReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const file = process.env.${envVar}
    if (!file) return
    const measures = {
      spent: (m: TestModule) => {
        const d = m.diagnostic()
        return d.setupDuration + d.collectDuration + d.duration
      },
      setup: (m: TestModule) => m.diagnostic().setupDuration,
      tests: (m: TestModule) => [...m.children.allTests()].reduce((total, t) => total + (t.diagnostic()?.duration ?? 0), 0),
    }
    const sum = (prefix: string, measure: keyof typeof measures) =>
      modules.filter((m) => path.basename(m.moduleId).startsWith(prefix)).reduce((total, m) => total + measures[measure](m), 0)
    fs.appendFileSync(file, JSON.stringify({
${sums.map((s) => `      ${s.key}: sum('${s.prefix}', '${s.measure}'),`).join('\n')}
    }) + '\\n')
  }
}
`
}
