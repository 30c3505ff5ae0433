import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { innerRun, makeScratch, repoRoot, type InnerRun, type InnerTest } from './run-vitest.js'

const run = promisify(execFile)

interface JestJson {
  testResults: {
    name: string
    message: string
    assertionResults: {
      fullName: string
      title: string
      ancestorTitles: string[]
      status: 'passed' | 'failed' | 'pending' | 'skipped'
      failureMessages: string[]
    }[]
  }[]
}

/**
 * Runs the real Jest, as a child process (`jest --json`), on a sample project under
 * `fixtures/`, with a private TMPDIR, cache dir and event log, and reports per-test results.
 */
export async function runJest(
  project: string,
  options: { args?: string[]; env?: Record<string, string>; scratch?: string } = {},
): Promise<InnerRun> {
  const scratch = options.scratch ?? makeScratch()
  const tmpDir = path.join(scratch, 'tmp')
  const cacheDir = path.join(scratch, 'cache')
  const eventLog = path.join(scratch, 'events.log')
  const output = path.join(scratch, 'jest.json')
  fs.rmSync(eventLog, { force: true })
  const jest = path.join(repoRoot, 'node_modules/jest/bin/jest.js')
  const config = path.join(repoRoot, 'fixtures', project, 'jest.config.cjs')
  const args = ['--config', config, '--json', `--outputFile=${output}`, '--ci', `--cacheDirectory=${path.join(scratch, 'jest-cache')}`]
  const printed = await run(process.execPath, [jest, ...args, ...(options.args ?? [])], {
    cwd: repoRoot,
    // Jest prints every failure to stderr; the JSON report is what is read.
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, TMPDIR: tmpDir, SQLITE_FIXTURES_CACHE_DIR: cacheDir, SQLITE_FIXTURES_EVENT_LOG: eventLog, ...options.env },
  }).catch((error: { code?: number; stdout: string; stderr: string }) => {
    // Jest exits 1 when a test fails; the JSON says which.
    if (error.code !== 1) throw error
    return error
  })
  const report = JSON.parse(fs.readFileSync(output, 'utf8')) as JestJson
  // Files in path order (Jest lists them as they finish), each file's tests in its own order.
  report.testResults.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const tests: InnerTest[] = report.testResults.flatMap((file) =>
    file.assertionResults.map((test) => ({
      name: test.fullName,
      state: test.status === 'pending' ? 'skipped' : test.status,
      errors: test.failureMessages,
      ancestors: test.ancestorTitles,
      title: test.title,
    })),
  )
  // A file's message repeats its failed tests' messages; it is the file's own error when the
  // file failed to load, or when a hook of the whole file (an afterAll) failed.
  const ownError = (file: JestJson['testResults'][number]) =>
    file.message !== '' && (file.assertionResults.length === 0 || file.message.includes('Test suite failed to run'))
  const errors = report.testResults.filter(ownError).map((file) => file.message)
  // Jest's report names no project: a file's first test names it, where the sample's test names start with it.
  const files = report.testResults.map((file) => ({
    project: file.assertionResults[0]?.fullName.split(' ')[0] ?? '',
    file: path.relative(path.dirname(config), file.name),
    errors: ownError(file) ? [file.message] : [],
  }))
  return innerRun({ tests, errors, fileMeta: {}, files, logs: [], output: printed.stdout + printed.stderr, tmpDir, cacheDir }, eventLog)
}
