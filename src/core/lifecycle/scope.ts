import { CaughtRefusalError, type Fixtures, FixtureUnavailableError, isPromiseLike, LateWorkError, LayerError, type LayerTestInfo, SqliteFixturesError, verbose, verboseEnabled } from '../base/index.js'
import { hasFailureReport, IntegrityError, takeFailureReport } from '../diagnostics/index.js'
import type { LayerGraph } from './layers.js'
import { currentFile, reportAtFileEnd } from './refusals.js'

type Teardown = () => void | Promise<void>

/** How the runner adapter ends a test's scope. */
export interface ScopeEnd {
  /** Whether the runner shows `error` for this test already (the test threw it): it is not added again. */
  readonly shown?: (error: Error) => boolean
  /** The runner, for the `expectRefusal()` import a caught refusal's message shows. */
  readonly runner?: 'vitest' | 'jest'
  /** How the test was declared to fail (`test.fails`), when it was and met a refusal: each refusal then fails it. */
  readonly failing?: string
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * The layers of one test: values built on first use, dependencies first, and a stack of
 * teardowns unwound in reverse when the test ends. Short-lived: one per test.
 */
export class TestScope {
  readonly test: LayerTestInfo
  readonly #graph: LayerGraph
  readonly #values = new Map<string, unknown>()
  readonly #pending = new Map<string, Promise<unknown>>()
  readonly #teardowns: Teardown[] = []
  readonly #optedOut: string | undefined
  /** The plugin's refusals made in this test, failed at its end even if the test caught them. */
  readonly #refusals: Error[] = []
  /** Whether this is a describe block's or a file's setup (its beforeAll hooks), not a test. */
  readonly blockSetup: boolean
  /** The test file the test is in: refusals of its late work fail that file. */
  readonly file = currentFile()
  #disposed = false
  /** Whether the runner gave up on the test while its code still runs (see `endWhen`). */
  #givenUp: (() => boolean) | undefined
  #abandon: (() => void) | undefined

  /** @param optedOut why this test has no database, if it opted out; reaching `db` then throws that. */
  constructor(graph: LayerGraph, test: { name: string; id: string }, optedOut?: string, blockSetup = false) {
    this.#graph = graph
    this.blockSetup = blockSetup
    // A plain object, set by `markFailed()`: a literal with a getter costs V8 microseconds to
    // make, paid by every test, database or not.
    this.test = { name: test.name, id: test.id, failed: false }
    this.#optedOut = optedOut
  }

  /** Records that the test failed, before `dispose()`: teardowns see it as `test.failed`. */
  markFailed(): void {
    ;(this.test as { failed: boolean }).failed = true
  }

  /**
   * Whether the test has ended (its layers are torn down, or being torn down), or the runner
   * gave up on it while its code still runs: its work is late from then on.
   */
  get ended(): boolean {
    if (!this.#disposed && this.#givenUp?.() === true) this.#abandon?.()
    return this.#disposed || this.#givenUp?.() === true
  }

  /**
   * For a runner that can give up on a test without telling its hooks (Jest, on a
   * `test.concurrent` test that timed out): `givenUp` says whether it has, and `abandon`
   * then ends the scope. Checked whenever the test's work reaches for a database.
   */
  endWhen(givenUp: () => boolean, abandon: () => void): void {
    this.#givenUp = givenUp
    this.#abandon = abandon
  }

  /** The refusals the plugin made in this test so far (thrown, or caught by the test). */
  get refusals(): readonly Error[] {
    return this.#refusals
  }

  /**
   * Records a refusal the plugin made on this test's behalf, so the test fails with it even
   * if its code caught it; once the test has ended, it is kept for the end of the file.
   * Returns the error, to throw.
   */
  refuse<E extends Error>(error: E): E {
    if (this.#disposed) reportAtFileEnd(error, this.file, this)
    else this.#refusals.push(error)
    return error
  }

  /** Forgets a refusal the test expected (`expectRefusal()`). */
  forgetRefusal(error: unknown): void {
    const index = this.#refusals.indexOf(error as Error)
    if (index !== -1) this.#refusals.splice(index, 1)
  }

  /** The error for work that reached for this test's database after the test ended. */
  lateWork(): LateWorkError {
    const owner = this.blockSetup ? `the beforeAll of ${this.test.name.replace(/ \(beforeAll\)$/, '')}` : `test "${this.test.name}"`
    return new LateWorkError(
      `sqlite-fixtures: ${owner} has ended, but work it left running (a timer, an unawaited promise, code that ` +
        'went on after a timeout, a server it started) reached for its database. It was refused: nothing was written. Await everything ' +
        'it starts, and clear its timers, before it returns.',
    )
  }

  /** Whether the test gets a database: it did not opt out. */
  get hasDatabase(): boolean {
    return this.#optedOut === undefined
  }

  /** Whether the layer's value was built in this test. */
  built(name: string): boolean {
    return this.#values.has(name)
  }

  /**
   * The layer's value, built now if this is its first use. Synchronous, for `ctx.db` and
   * `currentDb()`; a layer whose setup is async must be reached through `resolve()`.
   */
  get<Name extends keyof Fixtures>(name: Name): Fixtures[Name]
  get(name: string): unknown
  get(name: string): unknown {
    if (this.#values.has(name)) return this.#values.get(name)
    this.#checkUsable(name)
    const layer = this.#graph.get(name)
    const deps = Object.fromEntries((layer.dependsOn ?? []).map((dep) => [dep, this.get(dep)]))
    const value = this.#setup(name, () => layer.setup(deps, this.test))
    if (isPromiseLike(value)) {
      this.#adopt(name, Promise.resolve(value))
      throw new LayerError(
        `sqlite-fixtures: layer "${name}" has an async setup, so it cannot be read synchronously. ` +
          `Use it through Vitest's context (\`test('...', async ({ ${name} }) => ...)\` with the test from ` +
          `'sqlite-fixtures/vitest'), or \`await currentLayer('${name}')\`.`,
      )
    }
    return this.#store(name, value)
  }

  /** The layer's value, awaiting async setups (its own and its dependencies'). */
  async resolve<Name extends keyof Fixtures>(name: Name): Promise<Fixtures[Name]>
  async resolve(name: string): Promise<unknown>
  async resolve(name: string): Promise<unknown> {
    if (this.#values.has(name)) return this.#values.get(name)
    const pending = this.#pending.get(name)
    if (pending) return pending
    this.#checkUsable(name)
    const layer = this.#graph.get(name)
    const building = (async () => {
      const entries = await Promise.all((layer.dependsOn ?? []).map(async (dep) => [dep, await this.resolve(dep)]))
      return this.#setup(name, () => layer.setup(Object.fromEntries(entries), this.test))
    })()
    this.#pending.set(name, building)
    try {
      return this.#store(name, await building)
    } finally {
      this.#pending.delete(name)
    }
  }

  /** Runs a layer's own setup; its errors are reported under the layer's name. */
  #setup(name: string, setup: () => unknown): unknown {
    try {
      return setup()
    } catch (error) {
      if (error instanceof SqliteFixturesError) throw error
      throw new LayerError(`sqlite-fixtures: setup of layer "${name}" failed: ${message(error)}`, { cause: error })
    }
  }

  #checkUsable(name: string): void {
    if (this.#disposed) throw this.refuse(this.lateWork())
    if (name === 'db' && this.#optedOut !== undefined) {
      throw this.refuse(new FixtureUnavailableError(`sqlite-fixtures: test "${this.test.name}" has no database: ${this.#optedOut}`))
    }
  }

  #store(name: string, value: unknown): unknown {
    if (verboseEnabled) verbose(`setup ${name} for "${this.test.name}"`)
    this.#values.set(name, value)
    const { teardown } = this.#graph.get(name)
    if (teardown) this.#pushTeardown(name, () => teardown(value, this.test))
    return value
  }

  #pushTeardown(name: string, teardown: Teardown): void {
    this.#teardowns.push(async () => {
      if (verboseEnabled) verbose(`teardown ${name} for "${this.test.name}"`)
      try {
        await teardown()
      } catch (error) {
        // A verdict on the test, not a broken teardown: it says what and where already.
        if (error instanceof IntegrityError) throw error
        throw new LayerError(`sqlite-fixtures: teardown of layer "${name}" failed: ${message(error)}`, { cause: error })
      }
    })
  }

  /** The error a caught refusal fails its test with: what was refused, why that fails the test, and how to assert one. */
  #caught(refusal: Error, end: ScopeEnd): CaughtRefusalError {
    const why = end.failing
      ? `test "${this.test.name}" is declared with ${end.failing}, and met a refusal of the plugin's, so it fails with it: ` +
        "a test meant to fail must fail on your app's error, not pass on the plugin's own."
      : `test "${this.test.name}" caught a refusal of the plugin's and went on, so it fails with it. A refusal fails ` +
        "its test even when caught, so that no test passes on the plugin's own error by accident (a catch, or an " +
        "assertion such as toThrow() that met it instead of your app's error)."
    return new CaughtRefusalError(
      `sqlite-fixtures: ${why} To assert a refusal, run the call through expectRefusal() from ` +
        `'sqlite-fixtures/${end.runner ?? 'vitest'}': expect(expectRefusal(() => app.save()).name).toBe('${refusal.name}'), ` +
        `or (await expectRefusal(async () => app.saveLater())).name for an async call. The refusal: ${refusal.message}`,
      { cause: refusal },
    )
  }

  /** Tears down a value whose async setup was started but not awaited by the caller. */
  #adopt(name: string, building: Promise<unknown>): void {
    const { teardown } = this.#graph.get(name)
    this.#pushTeardown(name, async () => {
      const value = await building
      if (teardown) await teardown(value, this.test)
    })
  }

  /**
   * Ends the scope at once when there is nothing to tear down, refuse or report (the test
   * built no layer): the common case of a test that never touched a database, which then
   * pays no await. Returns whether it did; if not, `dispose()` must run.
   */
  endIfIdle(): boolean {
    if (this.#teardowns.length > 0 || this.#refusals.length > 0 || this.#values.size > 0 || this.#pending.size > 0 || hasFailureReport(this.test)) return false
    this.#disposed = true
    return true
  }

  /**
   * Tears down every built layer in reverse order of setup. Every teardown runs even when
   * one throws; their errors are thrown together afterwards, naming the layers. A failed
   * test's report (its last statements, its kept database) is thrown too, so the runner
   * adds it to the test's failure, and so are the plugin's refusals the test caught (those
   * it threw, the runner shows already), each saying why it fails the test.
   */
  async dispose(end: ScopeEnd = {}): Promise<void> {
    this.#disposed = true
    const errors: Error[] = []
    while (this.#teardowns.length > 0) {
      const teardown = this.#teardowns.pop() as Teardown
      try {
        await teardown()
      } catch (error) {
        errors.push(error as Error)
      }
    }
    this.#values.clear()
    const shown = end.failing === undefined ? (end.shown ?? (() => false)) : () => false
    errors.unshift(...this.#refusals.splice(0).filter((refusal) => !shown(refusal)).map((refusal) => this.#caught(refusal, end)))
    const report = takeFailureReport(this.test)
    if (report) errors.push(report)
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) {
      throw new AggregateError(errors, `sqlite-fixtures: ${errors.length} errors at the end of the test: ${errors.map(message).join('; ')}`)
    }
  }
}
