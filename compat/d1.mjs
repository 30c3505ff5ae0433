// The compatibility run's D1 entry: the D1 sample (fixtures/d1-app) on the oldest Workers pool
// sqlite-fixtures/d1 knows, @cloudflare/vitest-pool-workers 0.13 (the newest end,
// @cloudflare/vitest-plugin, is the sample's own, run by `npm test`). The pool was renamed, so
// the sample's imports are rewritten to its old name. About 280 MB installed (the pool,
// wrangler, workerd): it runs beside the other entries, on the install track.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

const pool = { name: '@cloudflare/vitest-pool-workers', version: '0.13.0' }

/**
 * This pool has no abortAllDurableObjects(): the plugin takes the one-batch way by itself and
 * says so. These tests of the sample expect the file swap (they read the option, 'auto'): a
 * block's beforeAll rows are kept, and Durable Objects are aborted after a test that used D1.
 */
const swapOnly = [
  'a block whose beforeAll writes starts from what the beforeAll wrote',
  'a block whose beforeAll writes and so does its next test, whatever the one before did',
  "a block whose beforeAll writes a nested block starts from its parent's data and its own",
  "the project's Durable Objects keep what they stored; their memory starts again after a test that used D1",
  "the project's Durable Objects keep their memory after a test that used no D1",
]
const fallback = /sqlite-fixtures\/d1: DB: this pool has no abortAllDurableObjects\(\) in cloudflare:test .*; each test restores the template with one batch through env\.DB instead/

const packageVersion = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version

/**
 * better-sqlite3's addon as built in the repo, packed as prebuild-install names a prebuild
 * (as the package-manager track does): the install unpacks it instead of compiling (minutes).
 */
async function localPrebuild(driver, dir) {
  fs.mkdirSync(dir, { recursive: true })
  const name = `better-sqlite3-v${packageVersion(driver)}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  await execFileAsync('tar', ['czf', path.join(dir, name), '-C', driver, 'build/Release/better_sqlite3.node'])
  return dir
}

/** Copies the sample without its install, its imports naming the old pool, the driver at the repo's version. */
function copySample(repo, project) {
  fs.cpSync(path.join(repo, 'fixtures/d1-app'), project, { recursive: true, filter: (src) => !src.includes('node_modules') && !src.endsWith('package-lock.json') })
  for (const entry of fs.readdirSync(project, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
    const file = path.join(entry.parentPath, entry.name)
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('@cloudflare/vitest-plugin', pool.name))
  }
  const sample = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'))
  const devDependencies = { ...sample.devDependencies, [pool.name]: pool.version, 'better-sqlite3': packageVersion(path.join(repo, 'node_modules/better-sqlite3')) }
  delete devDependencies['@cloudflare/vitest-plugin']
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ ...sample, devDependencies }, null, 2))
}

/** Vitest's JSON report as test name -> status. */
function statuses(reportFile) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'))
  return Object.fromEntries(report.testResults.flatMap((file) => file.assertionResults.map((test) => [test.fullName, test.status])))
}

/**
 * Installs the sample with the old pool and the packed package, runs its tests, and returns
 * the problems (a test whose outcome is not the expected one, a run that did not report or
 * did not say it took the one batch) after logging one line.
 */
export async function d1Runs({ repo, scratch, tarball, npm, log }) {
  const started = Date.now()
  const project = path.join(scratch, 'd1-pool-workers-0.13')
  const tmp = path.join(scratch, 'd1-tmp')
  fs.mkdirSync(tmp, { recursive: true })
  copySample(repo, project)
  const prebuilds = await localPrebuild(path.join(repo, 'node_modules/better-sqlite3'), path.join(scratch, 'd1-prebuilds'))
  const env = { ...process.env, CI: 'true', NO_COLOR: '1', TMPDIR: tmp, npm_config_better_sqlite3_local_prebuilds: prebuilds }
  const problems = []
  try {
    await execFileAsync(process.execPath, [npm, 'install', '--no-audit', '--no-fund', '--loglevel=error', `sqlite-fixtures@file:${tarball}`], { cwd: project, env, maxBuffer: 64 * 2 ** 20 })
  } catch (error) {
    problems.push(`the D1 sample with ${pool.name}@${pool.version} did not install: ${String(error.stderr ?? error).trim().split('\n').slice(-3).join(' ')}`)
  }
  const installSeconds = Math.round((Date.now() - started) / 1000)
  let tests = 0
  if (problems.length === 0) {
    const report = path.join(scratch, 'd1-report.json')
    const vitest = path.join(project, 'node_modules/vitest/vitest.mjs')
    const run = await execFileAsync(process.execPath, [vitest, 'run', '--reporter=json', `--outputFile=${report}`, '--reporter=default'], { cwd: project, env, maxBuffer: 64 * 2 ** 20 }).catch((error) => error)
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`
    if (!fs.existsSync(report)) problems.push(`the D1 sample reported nothing: ${output.trim().split('\n').slice(-5).join(' ')}`)
    else {
      const results = Object.entries(statuses(report))
      tests = results.length
      for (const [name, status] of results) if (status !== (swapOnly.includes(name) ? 'failed' : 'passed')) problems.push(`D1 sample: "${name}" ${status}`)
      if (!fallback.test(output)) problems.push('the D1 sample did not say it took the one batch (no abortAllDurableObjects in this pool)')
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000)
  log(`\nD1: the sample on ${pool.name}@${pool.version}, the one batch taken by itself: ${tests} tests, ${problems.length === 0 ? 'as expected' : `${problems.length} problems`} (${seconds} s, ${installSeconds} s of it installing)`)
  return problems
}
