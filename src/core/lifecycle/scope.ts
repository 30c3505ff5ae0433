import { type Fixtures, FixtureUnavailableError, isPromiseLike, LateWorkError, LayerError, type LayerTestInfo, SqliteFixturesError, verbose, verboseEnabled } from '../base/index.js'
import { IntegrityError, takeFailureReport } from '../diagnostics/index.js'
import type { LayerGraph } from './layers.js'
import { reportAtFileEnd } from './refusals.js'

type Teardown = () => void | Promise<void>

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
  #disposed = false

  #failed = false

  /** @param optedOut why this test has no database, if it opted out; reaching `db` then throws that. */
  constructor(graph: LayerGraph, test: { name: string; id: string }, optedOut?: string, blockSetup = false) {
    this.#graph = graph
    this.blockSetup = blockSetup
    const failed = () => this.#failed
    this.test = { ...test, get failed() { return failed() } }
    this.#optedOut = optedOut
  }

  /** Records that the test failed, before `dispose()`: teardowns see it as `test.failed`. */
  markFailed(): void {
    this.#failed = true
  }

  /** Whether the test has ended (its layers are torn down, or being torn down). */
  get ended(): boolean {
    return this.#disposed
  }

  /**
   * Records a refusal the plugin made on this test's behalf, so the test fails with it even
   * if its code caught it; once the test has ended, it is kept for the end of the file.
   * Returns the error, to throw.
   */
  refuse<E extends Error>(error: E): E {
    if (this.#disposed) reportAtFileEnd(error)
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
        'went on after a timeout) reached for its database. It was refused: nothing was written. Await everything ' +
        'it starts, and clear its timers, before it returns.',
    )
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

  /** Tears down a value whose async setup was started but not awaited by the caller. */
  #adopt(name: string, building: Promise<unknown>): void {
    const { teardown } = this.#graph.get(name)
    this.#pushTeardown(name, async () => {
      const value = await building
      if (teardown) await teardown(value, this.test)
    })
  }

  /**
   * Tears down every built layer in reverse order of setup. Every teardown runs even when
   * one throws; their errors are thrown together afterwards, naming the layers. A failed
   * test's report (its last statements, its kept database) is thrown too, so the runner
   * adds it to the test's failure, and so are the plugin's refusals made in the test (but
   * those `reported` says the runner shows already, because the test threw them).
   */
  async dispose(reported: (error: Error) => boolean = () => false): Promise<void> {
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
    errors.unshift(...this.#refusals.splice(0).filter((refusal) => !reported(refusal)))
    const report = takeFailureReport(this.test)
    if (report) errors.push(report)
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) {
      throw new AggregateError(errors, `sqlite-fixtures: ${errors.length} errors at the end of the test: ${errors.map(message).join('; ')}`)
    }
  }
}
