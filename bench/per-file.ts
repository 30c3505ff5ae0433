// What a layer or driver seam costs each test file, with the real Vitest: a generated project
// of 20 test files that never touch the database, the packed package installed under its
// node_modules (as a user gets it), run with the template's inputs in the plugin's options and
// no setup file (plain schema), and with each variant's setup file; the runs alternate, and
// the difference of medians over the file count is the cost per file. Either the files never
// touch the database (what a seam costs a file that does not use it), or each file's one test
// reads through it (what the layer costs a file that uses it, over `currentDb()`).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { firstQuerySql, type SchemaFiles } from './schema.js'
import { summarize } from './measure.js'
import { timeSuiteRun } from './suite.js'
import { formatMs } from './report.js'
import { otherDriver } from './on-node.js'
import { endedChildrenCpuMs } from './children-cpu.js'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const files = 20
/** What the generated projects and the package load, linked from the repo's node_modules. */
const linked = ['vitest', 'better-sqlite3', 'tmp', 'fastest-levenshtein', 'sqlite3', 'knex', 'sequelize', 'sequelize-typescript', 'reflect-metadata']

/**
 * Packages that `require('better-sqlite3')` themselves (Knex's better-sqlite3 client). A link
 * resolves to the repo's copy, which would find the repo's build of better-sqlite3: on another
 * Node (`--driver`), they are copied into the project instead, so they find its build.
 */
const loadsDriver = ['knex']

/** Copies the repo's `name` into `modules`, and links those of its dependencies the copy does not carry. */
function copyWithDependencies(source: string, modules: string, name: string): void {
  fs.cpSync(source, path.join(modules, name), { recursive: true })
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  for (const dependency of Object.keys(dependencies)) {
    const at = path.join(modules, dependency)
    if (!fs.existsSync(at) && !fs.existsSync(path.join(source, 'node_modules', dependency))) fs.symlinkSync(path.join(repoRoot, 'node_modules', dependency), at, 'dir')
  }
}

/** A way to set a project up: its setup file (its text), and more plugin options (as code). */
export interface PerFileVariant {
  readonly name: string
  readonly setup: string
  readonly pluginOptions?: string
  /** Files the setup file imports (path -> text), beside it. */
  readonly extra?: Readonly<Record<string, string>>
  /** Each test file's text (in tests/, beside db.ts's parent); by default one test that never touches the database. */
  readonly test?: string
}

/** A test file whose one test never touches the database. */
const pureTest = "import { expect, test } from 'vitest'\ntest('pure', () => expect(1 + 1).toBe(2))\n"

function writeProject(root: string, tarball: string, schema: SchemaFiles, variant: PerFileVariant | undefined, test: string): void {
  fs.mkdirSync(path.join(root, 'tests'), { recursive: true })
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'per-file', private: true, type: 'module' }))
  const modules = path.join(root, 'node_modules')
  fs.mkdirSync(path.join(modules, 'sqlite-fixtures'), { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'sqlite-fixtures'), '--strip-components=1'])
  for (const name of linked) {
    const source = path.join(repoRoot, 'node_modules', name)
    if (name === 'better-sqlite3' && otherDriver !== undefined) fs.symlinkSync(otherDriver, path.join(modules, name), 'dir')
    else if (otherDriver !== undefined && loadsDriver.includes(name)) copyWithDependencies(source, modules, name)
    else fs.symlinkSync(source, path.join(modules, name), 'dir')
  }
  const options = `schema: ${JSON.stringify(schema.schema)}, seed: ${JSON.stringify(schema.seed)}${variant?.pluginOptions ? `, ${variant.pluginOptions}` : ''}`
  fs.writeFileSync(
    path.join(root, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config'\nimport { sqliteFixtures } from 'sqlite-fixtures/vitest'\n` +
      `export default defineConfig({ plugins: [sqliteFixtures({ ${options} })], test: { include: ['tests/**/*.test.ts']${variant?.setup ? ", setupFiles: ['./setup.ts']" : ''} } })\n`,
  )
  if (variant?.setup) fs.writeFileSync(path.join(root, 'setup.ts'), variant.setup)
  for (const [file, text] of Object.entries(variant?.extra ?? {})) fs.writeFileSync(path.join(root, file), text)
  // The app's db module the seams mock; only test files that use the database import it.
  fs.writeFileSync(path.join(root, 'db.ts'), 'export const db = undefined\n')
  for (let i = 1; i <= files; i++) {
    fs.writeFileSync(path.join(root, 'tests', `f${String(i).padStart(2, '0')}.test.ts`), test)
  }
}

/**
 * A test file whose one test reads through `currentDb()`: the plain schema's way, which `test`
 * variants are judged against; `loading` (an import line), the library the layer's files load
 * too, so that a control with it tells the library's own load from the layer's cost.
 */
export function plainDbTest(loading = ''): string {
  return (
    `import { expect, test } from 'vitest'\nimport { currentDb } from 'sqlite-fixtures/vitest'\n${loading ? `${loading}\nvoid loaded\n` : ''}` +
    `test('reads', () => expect(currentDb().prepare(${JSON.stringify(firstQuerySql)}).get()).toBeDefined())\n`
  )
}

/**
 * Prints, for each variant, a `vitest run` of the 20 files (median of `rounds` alternating
 * runs, after one warm-up each) and its cost per file over the plain-schema run. With
 * `plainTest`, each file's one test uses the database (the plain run's through `currentDb()`,
 * each variant's its own `test`); without, no file touches it.
 */
export async function perFileCost(
  scratch: string,
  schema: SchemaFiles,
  variants: readonly PerFileVariant[],
  plainTest?: string,
  rounds = Number(process.env.BENCH_FILE_ROUNDS ?? 5),
): Promise<void> {
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: repoRoot, encoding: 'utf8' })
  const tarball = path.join(scratch, packed.trim().split('\n').at(-1) as string)
  const plain: PerFileVariant = { name: `plain schema: the options in the plugin, no setup file${plainTest ? ', each test reads through currentDb()' : ''}`, setup: '', test: plainTest }
  // A file that uses the database pays the driver or ORM its test loads: each section names its own control for that.
  const control: PerFileVariant = { name: '  control: an empty setup file of your own', setup: 'export {}\n' }
  const all = plainTest ? [plain, ...variants] : [plain, control, ...variants]
  const section = plainTest ? 'uses' : 'never'
  const roots = all.map((variant, i) => {
    const root = path.join(scratch, `per-file-${section}-${i}`)
    writeProject(root, tarball, schema, variant === plain ? undefined : variant, variant.test ?? pureTest)
    return root
  })
  fs.rmSync(tarball)
  const tmp = path.join(scratch, 'per-file-tmp')
  fs.mkdirSync(tmp, { recursive: true })
  const env = { SQLITE_FIXTURES_CACHE_DIR: path.join(scratch, 'per-file-cache'), TMPDIR: tmp }
  const times = all.map((): number[] => [])
  const cpus = all.map((): number[] => [])
  for (let round = -1; round < rounds; round++) {
    for (const [i, variant] of all.entries()) {
      const cpuBefore = endedChildrenCpuMs()
      const ms = await timeSuiteRun(roots[i] as string, env, variant.name, process.execPath, files)
      const cpuAfter = endedChildrenCpuMs()
      if (round < 0) continue
      times[i]?.push(ms)
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpus[i]?.push(cpuAfter - cpuBefore)
    }
    if (round >= 0) process.stderr.write(`  per-file round ${round + 1}/${rounds}\n`)
  }
  const medians = times.map((samples) => summarize(samples).medianMs)
  const cpuMedians = cpus.map((samples) => (samples.length > 0 ? summarize(samples).medianMs : undefined))
  const what = plainTest ? 'each file one test reading the database' : 'files that never touch the database'
  console.log(`\nper test file: vitest run of ${files} files, ${what}, medians of ${rounds} alternating runs (node ${process.version})`)
  console.log(`${''.padEnd(84)} ${'wall'.padStart(10)}  ${'per file'.padStart(10)}  ${'CPU (all processes)'.padStart(20)}  ${'per file'.padStart(10)}`)
  const signed = (ms: number) => `${ms < 0 ? '-' : '+'}${formatMs(Math.abs(ms))}`
  for (const [i, variant] of all.entries()) {
    const wall = medians[i] as number
    const cpu = cpuMedians[i]
    const cpuBase = cpuMedians[0]
    const wallPerFile = i === 0 ? '' : signed((wall - (medians[0] as number)) / files)
    const cpuPerFile = i === 0 || cpu === undefined || cpuBase === undefined ? '' : signed((cpu - cpuBase) / files)
    console.log(`${variant.name.padEnd(84)} ${formatMs(wall).padStart(10)}  ${wallPerFile.padStart(10)}  ${(cpu === undefined ? 'n/a' : formatMs(cpu)).padStart(20)}  ${cpuPerFile.padStart(10)}`)
  }
  console.log('(per file: over the plain-schema row, divided by the file count; CPU: the vitest run and its workers, user + system)')
}

/**
 * Both per-file sections of a driver's or layer's benchmark: `never`, files that never touch the
 * database; `uses`, files whose one test reads through the variant (over `currentDb()` on the
 * same schema; give a control that loads the same library through `plainDbTest(loading)`).
 * `BENCH_PER_FILE=never` or `uses` runs only one, `none` neither.
 */
export async function perFileCosts(scratch: string, schema: SchemaFiles, sections: { never: readonly PerFileVariant[]; uses: readonly PerFileVariant[] }): Promise<void> {
  const which = process.env.BENCH_PER_FILE ?? 'both'
  if (which === 'both' || which === 'never') await perFileCost(scratch, schema, sections.never)
  if (which === 'both' || which === 'uses') await perFileCost(scratch, schema, sections.uses, plainDbTest())
}
