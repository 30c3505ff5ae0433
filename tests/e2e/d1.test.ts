import { execFile, execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, test } from 'vitest'
import { leftovers, makeScratch, repoRoot } from '../support/run-vitest.js'

// The D1 sample runs in the real Workers runtime (workerd, from the npm registry), under
// Cloudflare's Vitest pool, installed into the sample alone: ~280 MB the root project does
// not need. Where it cannot be installed (no registry), the tests say so and skip.
const sample = path.join(repoRoot, 'fixtures/d1-app')
const npmCli = path.join(path.dirname(fs.realpathSync(process.execPath)), '../lib/node_modules/npm/bin/npm-cli.js')

function installed(): string | undefined {
  const lock = path.join(sample, 'package-lock.json')
  const marker = path.join(sample, 'node_modules/.package-lock.json')
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return undefined
  try {
    execFileSync(process.execPath, [npmCli, 'ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: sample, stdio: 'pipe', timeout: 240_000 })
    return undefined
  } catch (error) {
    return `the Workers pool could not be installed into fixtures/d1-app (npm ci failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n').slice(-3).join(' ')})`
  }
}

interface Outcome {
  tests: [string, string][]
  output: string
  tmpDir: string
}

/** Runs the sample's Vitest in its own process, with its own node_modules, as `npx vitest run` would. */
function runSample(args: string[], env: Record<string, string> = {}): Outcome {
  const scratch = makeScratch()
  const report = path.join(scratch, 'report.json')
  const tmpDir = path.join(scratch, 'tmp')
  const result = spawnSync(process.execPath, [path.join(sample, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${report}`, '--reporter=default', ...args], {
    cwd: sample,
    env: { ...process.env, ...env, TMPDIR: tmpDir, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 120_000,
  })
  const output = `${result.stdout}${result.stderr}`
  if (!fs.existsSync(report)) throw new Error(`the sample's Vitest wrote no report:\n${output}`)
  const json = JSON.parse(fs.readFileSync(report, 'utf8')) as { testResults: { assertionResults: { fullName: string; status: string }[] }[] }
  return { tests: json.testResults.flatMap((file) => file.assertionResults.map((t): [string, string] => [t.fullName, t.status])), output, tmpDir }
}

/** A run of the sample starts Miniflare and workerd: ~25 s here, more on a loaded machine. */
const sampleRunTimeout = 180_000

const names = [
  'a block whose beforeAll writes starts from what the beforeAll wrote',
  'a block whose beforeAll writes and so does its next test, whatever the one before did',
  "a block whose beforeAll writes a nested block starts from its parent's data and its own",
  'a test outside the blocks starts from the template',
  "the project's Durable Objects count once, in a test that reads D1",
  "the project's Durable Objects keep what they stored; their memory starts again after a test that used D1",
  "the project's Durable Objects keep their memory after a test that used no D1",
  'work a test leaves running leaves writes waiting',
  'work a test leaves running is refused, and the next test finds its database untouched',
  'through the worker adds a note',
  'through the worker adds another note',
  'through env.DB deletes every note',
  'through env.DB keeps what the test before left, when tagged no-db',
  'through env.DB finds the seed again',
  'through env.DB has the migrations recorded as wrangler records them',
  'through env.DB gets every binding fresh, each from its own template',
  'through env.DB enforces foreign keys',
]

describe('D1 in the Workers pool', () => {
  let skipReason: string | undefined
  beforeAll(() => {
    skipReason = installed()
    if (skipReason) console.warn(`skipped: ${skipReason}`)
  }, 300_000)

  test('every test gets its D1 databases fresh from their templates, by a file swap', (context) => {
    if (skipReason) return context.skip(skipReason)
    const run = runSample([])
    expect(Object.fromEntries(run.tests)).toEqual(Object.fromEntries(names.map((name) => [name, 'passed'])))
    expect(run.output).not.toMatch(/restores the template with one batch/)
    expect(leftovers(run.tmpDir)).toEqual([])
  }, sampleRunTimeout)

  test('with isolate: false, where one worker runs every file and loads the setup file again for each, a later file refuses late work too', (context) => {
    if (skipReason) return context.skip(skipReason)
    // The sample's late-work file runs last there (its config's sequencer).
    const run = runSample(['--config', 'vitest.shared-worker.config.ts'])
    expect(Object.fromEntries(run.tests)).toEqual(Object.fromEntries(names.map((name) => [name, 'passed'])))
    expect(leftovers(run.tmpDir)).toEqual([])
  }, sampleRunTimeout)

  test("the public-API way (one batch) gives the same isolation, and says so once per binding; a failing test's report lists its D1 statements; a concurrent test is refused", (context) => {
    if (skipReason) return context.skip(skipReason)
    const run = runSample([], { D1_METHOD: 'batch', D1_REPORT: '1' })
    expect(Object.fromEntries(run.tests)).toEqual({
      ...Object.fromEntries(names.map((name) => [name, 'passed'])),
      'a failing test shows its statements': 'failed',
      'concurrent tests a concurrent test using D1 is refused': 'failed',
      'concurrent tests a concurrent no-db test runs': 'passed',
    })
    // One D1 database per binding and file: concurrent tests would share it, so they are refused by name.
    expect(run.output).toContain('sqlite-fixtures/d1: test "concurrent tests > a concurrent test using D1 is refused" runs concurrently')
    // Its own statements and those the worker ran for it (through exports.default.fetch), none of the plugin's.
    expect(run.output).toContain(
      [
        'TestDatabaseReport: sqlite-fixtures: about the D1 databases of "a failing test shows its statements":',
        'the 3 statements it ran, oldest first:',
        "    1. INSERT INTO notes (author_id, body) VALUES (?, ?) /* args: 2, 'written by the failing test' */",
        '    2. SELECT notes.body, authors.name AS author FROM notes JOIN authors ON authors.id = notes.author_id ORDER BY notes.id',
        '    3. SELECT count(*) AS n FROM notes',
      ].join('\n'),
    )
    expect(run.output.match(/sqlite-fixtures\/d1: (DB|AUDIT): the option method is 'batch'; each test restores the template with one batch through env\.\1 instead \(slower\)\./g)).toHaveLength(2)
  }, sampleRunTimeout)

  test("the sample type-checks against the pool's types and sqlite-fixtures/d1's: the worker and tests with the runtime's, the configs with Node's", async (context) => {
    if (skipReason) return context.skip(skipReason)
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc')
    const check = (project: string) =>
      promisify(execFile)(process.execPath, [tsc, '-p', path.join(sample, project)], { cwd: sample }).then(
        () => '',
        (error: { stdout?: string }) => `${project}:\n${error.stdout ?? String(error)}`,
      )
    expect((await Promise.all([check('tsconfig.json'), check('tsconfig.node.json')])).join('')).toBe('')
  }, 120_000)

  test("the control, the pool's documented set-up without the plugin, shares one database across a file's tests and lets late work in", (context) => {
    if (skipReason) return context.skip(skipReason)
    const run = runSample(['--config', 'vitest.control.config.ts'])
    expect(run.tests.filter(([, state]) => state === 'failed').map(([name]) => name).sort()).toEqual([
      "a block whose beforeAll writes a nested block starts from its parent's data and its own",
      'a block whose beforeAll writes and so does its next test, whatever the one before did',
      'a test outside the blocks starts from the template',
      "the project's Durable Objects keep their memory after a test that used no D1",
      "the project's Durable Objects keep what they stored; their memory starts again after a test that used D1",
      'through env.DB finds the seed again',
      'through env.DB gets every binding fresh, each from its own template',
      'through the worker adds another note',
      'work a test leaves running is refused, and the next test finds its database untouched',
    ])
    // The late writes ran, into the next test's database.
    expect(run.output).toMatch(/expected 'ran' to match/)
  }, sampleRunTimeout)
})
