import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { startVitest, type TestUserConfig } from 'vitest/node'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** One test of the inner run, as the runner reported it. */
export interface InnerTest {
  /** The test's full name, suites included (`suite > test`). */
  name: string
  state: 'passed' | 'failed' | 'skipped' | 'pending'
  errors: string[]
  /** The names of the describe blocks around it, outermost first. */
  ancestors: string[]
  /** Its own name, without its describe blocks'. */
  title: string
}

export interface InnerRun {
  tests: InnerTest[]
  /** Errors outside any test (a file that failed to load, unhandled rejections). */
  errors: string[]
  /** What each test file's worker reported in its task meta, by file path relative to the project. */
  fileMeta: Record<string, Record<string, unknown>>
  /** Each test file's own errors (an afterAll or the plugin's file-end report), by project and file relative to the project. */
  files: { project: string; file: string; errors: string[] }[]
  /** Lines the sample project appended to the event log (`SQLITE_FIXTURES_EVENT_LOG`). */
  events: string[]
  /** What tests and hooks wrote to the console (stdout and stderr), one entry per write. */
  logs: string[]
  /** What Vitest printed (its main process and, piped through it, the workers), with `captureOutput`. */
  output: string
  /** The private TMPDIR the inner run used: it should be empty afterwards. */
  tmpDir: string
  cacheDir: string
  /** The state of one test by name; throws if there is no such test. */
  test(name: string): InnerTest
}

export interface RunOptions {
  /** Test files (filters), relative to the project. */
  files?: string[]
  /** Config overrides for the inner run (pool, isolate, ...). */
  config?: TestUserConfig
  /** Extra env vars for the inner run's workers. */
  env?: Record<string, string>
  /** Reuse a scratch dir (to share a template cache between runs). */
  scratch?: string
  /** Collect what Vitest prints into `output`, instead of printing it. */
  captureOutput?: boolean
}

/**
 * A scratch dir with a private TMPDIR, a template cache and an event log. It is removed when
 * the test that made it ends, unless that test failed: then it is kept, and its path printed.
 */
export function makeScratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-e2e-'))
  fs.mkdirSync(path.join(dir, 'tmp'))
  onTestFinished(({ task }) => {
    if (task.result?.state === 'fail') console.error(`kept the scratch dir of failed test "${task.name}": ${dir}`)
    else fs.rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/**
 * Runs the real Vitest on a sample project under `fixtures/`, as a user's `vitest run`
 * would, and reports what happened. Kept in this one place because `startVitest`'s
 * arguments change between Vitest versions.
 */
export async function runFixture(project: string, options: RunOptions = {}): Promise<InnerRun> {
  const root = path.join(repoRoot, 'fixtures', project)
  const scratch = options.scratch ?? makeScratch()
  const tmpDir = path.join(scratch, 'tmp')
  const cacheDir = path.join(scratch, 'cache')
  const eventLog = path.join(scratch, 'events.log')
  fs.rmSync(eventLog, { force: true })
  const exitCode = process.exitCode
  const logs: string[] = []
  const env = { TMPDIR: tmpDir, SQLITE_FIXTURES_CACHE_DIR: cacheDir, SQLITE_FIXTURES_EVENT_LOG: eventLog, ...options.env }
  // The plugin builds the template in this process (Vitest's main process): it reads the
  // same env as the workers.
  const restoreEnv = setEnv(env)
  const output = options.captureOutput ? capture() : undefined
  const vitest = await startVitest(
    'test',
    options.files ?? [],
    {
      root,
      watch: false,
      reporters: [{ onUserConsoleLog: (log) => void logs.push(log.content) }],
      env,
      ...options.config,
    },
    {},
    output ? { stdout: output.stream, stderr: output.stream } : {},
  ).finally(restoreEnv)
  process.exitCode = exitCode
  try {
    const tests: InnerTest[] = []
    const errors: string[] = vitest.state.getUnhandledErrors().map(describeError)
    const fileMeta: InnerRun['fileMeta'] = {}
    const files: InnerRun['files'] = []
    for (const module of vitest.state.getTestModules()) {
      errors.push(...module.errors().map((error) => error.message))
      fileMeta[path.relative(root, module.moduleId)] = { ...module.meta() }
      files.push({ project: module.project.name, file: path.relative(root, module.moduleId), errors: module.errors().map((error) => error.message) })
      for (const test of module.children.allTests()) {
        const result = test.result()
        const ancestors: string[] = []
        for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) ancestors.unshift(parent.name)
        tests.push({
          name: test.fullName,
          state: result.state,
          errors: (result.errors ?? []).map((error) => error.message),
          ancestors,
          title: test.name,
        })
      }
    }
    return innerRun({ tests, errors, fileMeta, files, logs, output: output?.text() ?? '', tmpDir, cacheDir }, eventLog)
  } finally {
    await vitest.close()
  }
}

/** An unhandled error as Vitest keeps it (serialized, without a prototype): `Name: message`. */
function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error)
  const { name, message } = error as { name?: unknown; message?: unknown }
  return typeof message === 'string' ? `${typeof name === 'string' ? name : 'Error'}: ${message}` : JSON.stringify(error)
}

/** A Vitest started in watch mode on a sample project, driven by the test. */
export interface WatchSession {
  /** Resolves when the next run (a rerun, after an edit) ends; call it before the edit. */
  nextRun(): Promise<void>
  /** Reruns every test file, as the `a` key in a terminal does; resolves when the run ends. */
  rerunAll(): Promise<void>
  /** The test files each rerun ran, relative to the project. */
  readonly reruns: string[][]
  /** What Vitest printed to stderr so far. */
  stderr(): string
  /** Lines the sample project appended to the event log so far. */
  events(): string[]
  close(): Promise<void>
}

/** Saves (`save` writes the files), and waits for the rerun the save starts. */
export async function saveAndRerun(session: WatchSession, save: () => void): Promise<void> {
  const rerun = session.nextRun()
  save()
  await rerun
}

/**
 * Starts the real Vitest in watch mode on a sample project (a name under `fixtures/`, or the
 * root of a copy), in this process, as `vitest` in a terminal would; the first run has ended
 * when this resolves.
 */
export async function watchFixture(project: string, options: { scratch: string; env?: Record<string, string> }): Promise<WatchSession> {
  const root = path.isAbsolute(project) ? project : path.join(repoRoot, 'fixtures', project)
  const eventLog = path.join(options.scratch, 'events.log')
  const env = {
    TMPDIR: path.join(options.scratch, 'tmp'),
    SQLITE_FIXTURES_CACHE_DIR: path.join(options.scratch, 'cache'),
    SQLITE_FIXTURES_EVENT_LOG: eventLog,
    ...options.env,
  }
  const restoreEnv = setEnv(env)
  const stdout = capture()
  const stderr = capture()
  const reruns: string[][] = []
  let waiting: (() => void) | undefined
  const exitCode = process.exitCode
  const vitest = await startVitest(
    'test',
    [],
    {
      root,
      watch: true,
      env,
      reporters: [
        {
          onWatcherRerun: (files) => void reruns.push(files.map((file) => path.relative(root, file)).sort()),
          onTestRunEnd: () => waiting?.(),
        },
      ],
    },
    {},
    { stdout: stdout.stream, stderr: stderr.stream },
  ).catch((error: unknown) => {
    restoreEnv()
    throw error
  })
  process.exitCode = exitCode
  return {
    nextRun: () => new Promise<void>((resolve) => (waiting = resolve)),
    rerunAll: async () => void (await vitest.rerunTestSpecifications(await vitest.globTestSpecifications(), true)),
    reruns,
    stderr: stderr.text,
    events: () => (fs.existsSync(eventLog) ? fs.readFileSync(eventLog, 'utf8').split('\n').filter(Boolean) : []),
    async close() {
      await vitest.close()
      restoreEnv()
      process.exitCode = exitCode
    },
  }
}

/**
 * A stream that collects what Vitest prints. Vitest pipes each forked worker's output into
 * it, and a pipe ends its destination when the worker exits: so ending it is ignored.
 */
function capture(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  stream.end = (() => stream) as Writable['end']
  return { stream, text: () => text }
}

/** Sets env vars in this process; the returned function restores them. */
function setEnv(env: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]))
  Object.assign(process.env, env)
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/** A run's report, with the sample's event log read and a lookup of tests by name. */
export function innerRun(parts: Omit<InnerRun, 'events' | 'test'>, eventLog: string): InnerRun {
  const events = fs.existsSync(eventLog) ? fs.readFileSync(eventLog, 'utf8').split('\n').filter(Boolean) : []
  return {
    ...parts,
    events,
    test(name) {
      const found = parts.tests.find((test) => test.name === name)
      if (!found) throw new Error(`no test named "${name}"; the run had: ${parts.tests.map((t) => t.name).join(' | ')}`)
      return found
    },
  }
}

/** Everything left in a directory, recursively (paths relative to it). */
export function leftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
}

/** What the workers of an inner run loaded, by process: see `load-probe.mjs`. */
export interface LoadProbe {
  /** Env and config that preload the probe into an inner run's workers; merge them into its options. */
  readonly env: Record<string, string>
  readonly config: TestUserConfig
  /** The modules a worker process resolved or required, and the database files it read (`read <file>`). */
  loadsOf(pid: string): string[]
  /** Every line logged, as `<pid> <module or file>`. */
  lines(): string[]
}

/** Records, per worker process, the modules it loads and the database files it reads. */
export function probeLoads(scratch: string): LoadProbe {
  const log = path.join(scratch, 'loads.log')
  const lines = () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)
  return {
    env: { SQLITE_FIXTURES_LOAD_LOG: log },
    config: { execArgv: ['--import', fileURLToPath(new URL('./load-probe.mjs', import.meta.url))] },
    loadsOf: (pid) =>
      lines()
        .filter((line) => line.startsWith(`${pid} `))
        .map((line) => line.slice(pid.length + 1)),
    lines,
  }
}
