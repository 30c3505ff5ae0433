// What a layer or driver seam costs each test file, with the real Vitest: a generated project
// of 20 test files that never touch the database, the packed package installed under its
// node_modules (as a user gets it), run with the template's inputs in the plugin's options and
// no setup file (plain schema), and with each variant's setup file; the runs alternate, and
// the difference of medians over the file count is the cost per file.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SchemaFiles } from './schema.js'
import { summarize } from './measure.js'
import { timeSuiteRun } from './suite.js'
import { formatMs } from './report.js'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const files = 20
/** What the generated projects and the package load, linked from the repo's node_modules. */
const linked = ['vitest', 'better-sqlite3', 'tmp', 'fastest-levenshtein', 'sqlite3', 'knex', 'sequelize', 'sequelize-typescript', 'reflect-metadata']

/** A way to set a project up: its setup file (its text), and more plugin options (as code). */
export interface PerFileVariant {
  readonly name: string
  readonly setup: string
  readonly pluginOptions?: string
  /** Files the setup file imports (path -> text), beside it. */
  readonly extra?: Readonly<Record<string, string>>
}

function writeProject(root: string, tarball: string, schema: SchemaFiles, variant: PerFileVariant | undefined): void {
  fs.mkdirSync(path.join(root, 'tests'), { recursive: true })
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'per-file', private: true, type: 'module' }))
  const modules = path.join(root, 'node_modules')
  fs.mkdirSync(path.join(modules, 'sqlite-fixtures'), { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'sqlite-fixtures'), '--strip-components=1'])
  for (const name of linked) fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name), 'dir')
  const options = `schema: ${JSON.stringify(schema.schema)}, seed: ${JSON.stringify(schema.seed)}${variant?.pluginOptions ? `, ${variant.pluginOptions}` : ''}`
  fs.writeFileSync(
    path.join(root, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config'\nimport { sqliteFixtures } from 'sqlite-fixtures/vitest'\n` +
      `export default defineConfig({ plugins: [sqliteFixtures({ ${options} })], test: { include: ['tests/**/*.test.ts']${variant ? ", setupFiles: ['./setup.ts']" : ''} } })\n`,
  )
  if (variant) fs.writeFileSync(path.join(root, 'setup.ts'), variant.setup)
  for (const [file, text] of Object.entries(variant?.extra ?? {})) fs.writeFileSync(path.join(root, file), text)
  // The app's db module the seams mock; no test imports it: these files never touch the database.
  fs.writeFileSync(path.join(root, 'db.ts'), 'export const db = undefined\n')
  for (let i = 1; i <= files; i++) {
    fs.writeFileSync(path.join(root, 'tests', `f${String(i).padStart(2, '0')}.test.ts`), "import { expect, test } from 'vitest'\ntest('pure', () => expect(1 + 1).toBe(2))\n")
  }
}

/**
 * Prints, for each variant, a `vitest run` of the 20 files (median of `rounds` alternating
 * runs, after one warm-up each) and its cost per file over the plain-schema run.
 */
export async function perFileCost(scratch: string, schema: SchemaFiles, variants: readonly PerFileVariant[], rounds = Number(process.env.BENCH_FILE_ROUNDS ?? 5)): Promise<void> {
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: repoRoot, encoding: 'utf8' })
  const tarball = path.join(scratch, packed.trim().split('\n').at(-1) as string)
  const plain = { name: 'plain schema: the options in the plugin, no setup file', setup: '' }
  const control = { name: '  control: an empty setup file of your own', setup: 'export {}\n' }
  const all = [plain, control, ...variants]
  const roots = all.map((variant, i) => {
    const root = path.join(scratch, `per-file-${i}`)
    writeProject(root, tarball, schema, variant === plain ? undefined : variant)
    return root
  })
  fs.rmSync(tarball)
  const tmp = path.join(scratch, 'per-file-tmp')
  fs.mkdirSync(tmp, { recursive: true })
  const env = { SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'per-file-cache'), TMPDIR: tmp }
  const times = all.map((): number[] => [])
  for (let round = -1; round < rounds; round++) {
    for (const [i, variant] of all.entries()) {
      const ms = await timeSuiteRun(roots[i] as string, env, variant.name, process.execPath, files)
      if (round >= 0) times[i]?.push(ms)
    }
    if (round >= 0) process.stderr.write(`  per-file round ${round + 1}/${rounds}\n`)
  }
  const medians = times.map((samples) => summarize(samples).medianMs)
  const base = medians[0] as number
  console.log(`\nper test file: vitest run of ${files} files that never touch the database, medians of ${rounds} alternating runs (node ${process.version})`)
  for (const [i, variant] of all.entries()) {
    const median = medians[i] as number
    const diff = (median - base) / files
    const perFile = i === 0 ? '' : `  ${`${diff < 0 ? "-" : "+"}${formatMs(Math.abs(diff))}`.padStart(10)} per file over plain schema`
    console.log(`${variant.name.padEnd(84)} ${formatMs(median).padStart(10)}${perFile}`)
  }
}
