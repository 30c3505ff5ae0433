// The report: a table on stdout and the same figures as JSON, with the machine they came from.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { RowResult } from './row.js'

/** What the figures were measured on; absolute times only compare within one machine. */
export interface MachineInfo {
  readonly node: string
  readonly betterSqlite3: string
  readonly sqlite: string
  readonly vitest: string
  readonly cpu: string
  readonly cores: number
  readonly memoryGb: number
  readonly os: string
  /** Set when glibc's allocator was tuned (it changes the cost of large copies). */
  readonly glibcTunables: string | undefined
}

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url)
  return (require(`${name}/package.json`) as { version: string }).version
}

export function machineInfo(): MachineInfo {
  const db = new Database(':memory:')
  const sqlite = db.prepare('select sqlite_version()').pluck().get() as string
  db.close()
  const cpus = os.cpus()
  return {
    node: process.version,
    betterSqlite3: packageVersion('better-sqlite3'),
    sqlite,
    vitest: packageVersion('vitest'),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    glibcTunables: process.env.GLIBC_TUNABLES,
  }
}

/** A duration in the unit that keeps 3-4 significant digits. */
export function formatMs(ms: number): string {
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`
  if (ms < 1) return `${(ms * 1000).toFixed(1)} us`
  if (ms < 1000) return `${ms.toFixed(2)} ms`
  return `${(ms / 1000).toFixed(2)} s`
}

function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return ''
  return ratio < 0.1 ? `${ratio.toFixed(3)}x` : `${ratio.toFixed(2)}x`
}

/** The table: one section per group; floors are marked, ratios next to their reference. */
export function formatTable(rows: readonly RowResult[]): string {
  const header = ['', 'median', 'p95', 'n', 'x ref', 'x migrate', 'ref (the row divided by)']
  const groups = [...new Set(rows.map((row) => row.group))]
  const widths = header.map((cell) => cell.length)
  const sections: { group: string; cells: string[][] }[] = groups.map((group) => ({
    group,
    cells: rows
      .filter((row) => row.group === group)
      .map((row) => [
        `${row.kind === 'floor' ? '[floor] ' : row.kind === 'plugin' ? '* ' : ''}${row.name}`,
        formatMs(row.medianMs),
        formatMs(row.p95Ms),
        String(row.samples),
        formatRatio(row.xRef),
        formatRatio(row.xMigrate),
        row.ref ?? '',
      ]),
  }))
  for (const { cells } of sections) {
    for (const line of cells) line.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  }
  const render = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd()
  const out = [render(header)]
  for (const { group, cells } of sections) {
    out.push('', `-- ${group}`)
    for (const line of cells) out.push(render(line))
  }
  return out.join('\n')
}

/** Writes the figures to `.bench-results/<name>.json` (git-ignored; `latest` by default) and returns its path. */
export function writeJson(repoRoot: string, machine: MachineInfo, rows: readonly RowResult[], extra: object, name = 'latest'): string {
  const dir = path.join(repoRoot, '.bench-results')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  const report = { date: new Date().toISOString(), machine, rows, ...extra }
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  return file
}
