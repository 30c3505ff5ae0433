import { LateWorkError, SqliteFixturesError } from '../base/index.js'
import { runAsNobody } from './context.js'
import { countLive } from './live.js'
import { currentFile, reportAtFileEnd } from './refusals.js'
import type { TestScope } from './scope.js'

/** What a block needs from the runtime; reached only when the block's setup uses a layer. */
export interface BlockHost {
  /** Opens the scope of a block's setup, whose `db` is a fresh clone of the parent's template. */
  openSetupScope(block: Block): TestScope
  /** Lets go of what the runtime keeps for a derived template (a kept connection). */
  release(image: Buffer): void
}

/** Marks a block, so a copy of the package loaded after a module reset recognizes one the first copy made. */
const blockMark = Symbol.for('sqlite-fixtures.block')

/** Whether an owner is a block (of this copy of the package or another). */
export function isBlock(owner: object): owner is Block {
  return (owner as Record<symbol, unknown>)[blockMark] === true
}

/**
 * A block of tests (a describe block, or a whole file) whose setup, its `beforeAll` hooks,
 * can write data that every test in it starts from. The first use of a layer during the
 * setup opens the block's own database, a clone of the parent block's template; when the
 * block's first test (or nested block) starts, that database's bytes become the block's
 * derived template, kept in memory, never in the cache, until the block ends. A block whose
 * setup writes nothing costs nothing: its tests clone the parent's template.
 */
export class Block {
  readonly [blockMark] = true
  readonly name: string
  readonly parent: Block | undefined
  /** The test file the block is in: refusals of its setup's late work fail that file. */
  readonly file = currentFile()
  readonly #host: () => BlockHost
  #scope: TestScope | undefined
  #image: Buffer | undefined
  #frozen = false
  #freezing: Promise<void> | undefined
  #frozenDone = false
  #dropped = false
  /** Stops counting the setup as live, once its tests start. */
  #setupDone = () => {}

  /** @param host the runtime, asked for only when the setup uses a layer. */
  constructor(name: string, parent: Block | undefined, host: () => BlockHost) {
    this.name = name
    this.parent = parent
    this.#host = host
  }

  /** The scope that answers `currentDb()` (and every layer) during the block's setup. */
  setupScope(): TestScope {
    if (this.#frozen) {
      const error = new LateWorkError(
        `sqlite-fixtures: "${this.name}" has started its tests, so its setup has ended: an afterAll, or work its ` +
          'beforeAll left running (a timer, an unawaited promise, a server it started listening: its requests run ' +
          'for the beforeAll, not for the test that sends them), reached for the block\'s database. It was refused: ' +
          "nothing was written. A block's data is written by its beforeAll hooks, which run before its first test, and " +
          'is dropped after the block (an afterAll need not clean it up). A server the tests send requests to is ' +
          "started in each test (supertest(app) does), so its requests run for that test.",
      )
      reportAtFileEnd(error, this.file, this)
      throw error
    }
    if (this.parent && !this.parent.#frozen) {
      throw new SqliteFixturesError(`sqlite-fixtures: internal error: block "${this.name}" set up before its parent's data was fixed.`)
    }
    if (!this.#scope) {
      this.#scope = this.#host().openSetupScope(this)
      this.#setupDone = countLive()
    }
    return this.#scope
  }

  /** The setup's scope while it is open (a `beforeAll` used a database), without opening one. */
  get openSetup(): TestScope | undefined {
    return this.#scope
  }

  /**
   * Ends the setup, before the block's first test or nested block: tears down the setup's
   * layers, and the database's bytes (captured as it closes) become the block's template.
   * Every caller gets the same promise, so concurrent tests wait for one freeze.
   */
  freeze(): Promise<void> {
    this.#freezing ??= (async () => {
      await this.parent?.freeze()
      this.#frozen = true
      this.#setupDone()
      const scope = this.#scope
      this.#scope = undefined
      // The plugin's own work: its statements are no one's, not the block's left-running work.
      await runAsNobody(async () => scope?.dispose())
      this.#frozenDone = true
    })()
    return this.#freezing
  }

  /** Whether `freeze()` has finished: a test need not await it (the common case, after a block's first test). */
  get frozenDone(): boolean {
    return this.#frozenDone
  }

  /** Called by the runtime with the bytes of the setup's database, as its teardown closes it. */
  capture(image: Buffer): void {
    this.#image = image
  }

  /** The derived template the block's tests clone from: its own, or its nearest ancestor's, if any. */
  image(): Buffer | undefined {
    return this.#image ?? this.parent?.image()
  }

  /** Ends the block: its setup, if still open, then its derived template. */
  async drop(): Promise<void> {
    if (this.#dropped) return
    this.#dropped = true
    await this.freeze()
    if (this.#image) this.#host().release(this.#image)
    this.#image = undefined
  }
}
