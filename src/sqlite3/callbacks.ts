import { AsyncResource } from 'node:async_hooks'
import { setImmediate as realSetImmediate } from 'node:timers'
import { LateWorkError } from '../core/base/index.js'
import type { TestScope } from '../core/lifecycle/index.js'

type Callback = (this: unknown, ...args: unknown[]) => unknown

/** The refusal of an answer node-sqlite3 gave after the test that asked for it ended. */
function lateAnswer(scope: TestScope): LateWorkError {
  const owner = scope.blockSetup ? `the beforeAll of ${scope.test.name.replace(/ \(beforeAll\)$/, '')}` : `test "${scope.test.name}"`
  return new LateWorkError(
    `sqlite-fixtures: ${owner} has ended, but node-sqlite3 answered work it left running (a query it did not wait for) ` +
      'only after that. The answer was refused: its callback got this error instead. Await everything the test starts before it returns.',
  )
}

/**
 * node-sqlite3 calls back from its thread pool with no async context: a callback would run
 * as no test's work, and `AsyncLocalStorage` (the plugin's, an app's, CLS) would find nothing.
 * These bind the callbacks of one call to the context the call was made in, so they run as
 * the test's work, as if the driver kept the context.
 *
 * A callback due after its test ended is refused, as the plugin refuses late work: it is not
 * given the driver's answer, but called once with the refusal as its error (which the run
 * reports, naming the test), and never again. `this` keeps what the driver passes (a
 * statement, with `lastID` and `changes`), or what `thisOf` maps it to.
 */
export function bindCallbacks(scope: TestScope, args: readonly unknown[], thisOf?: (self: unknown) => unknown): unknown[] {
  if (!args.some((arg) => typeof arg === 'function')) return [...args]
  let refusal: Error | undefined
  const refused = () => (refusal ??= scope.refuse(lateAnswer(scope)))
  return args.map((arg) => {
    if (typeof arg !== 'function') return arg
    const callback = arg as Callback
    const resource = new AsyncResource('sqlite-fixtures.sqlite3')
    let late = false
    return function (this: unknown, ...answer: unknown[]) {
      const self = thisOf ? thisOf(this) : this
      if (!scope.ended) return resource.runInAsyncScope(callback, self, ...answer)
      if (late) return undefined
      late = true
      return resource.runInAsyncScope(callback, self, refused())
    }
  })
}

/** Binds a callback that is never refused (a connection's `close`: a shutdown, even late) to the caller's context. */
export function inCallersContext<A extends unknown[]>(callback: (...args: A) => unknown): (...args: A) => unknown {
  return AsyncResource.bind(callback)
}

/** The callback of a node-sqlite3 call: its last function argument, if any. */
function callbackOf(args: readonly unknown[]): Callback | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i] as Callback
  return undefined
}

/**
 * Runs `answer` soon after, as node-sqlite3 answers from its thread pool: on Node's own
 * setImmediate, not the global `process.nextTick`, which fake timers replace (Jest's fake one
 * runs only when the test advances the clock, so a refused call would never be answered).
 */
export function answerSoon(answer: () => void): void {
  realSetImmediate(answer)
}

/**
 * Answers a call that ran nothing (made where no test runs, and kept): its callback gets no
 * error, soon after, as node-sqlite3 would answer; `self` is its `this`.
 */
export function answerLater(args: readonly unknown[], self?: object): void {
  const callback = callbackOf(args)
  if (callback) answerSoon(() => callback.call(self, null))
}

/**
 * Runs the plugin's checks before a driver call: a refusal goes to the call's callback (its
 * last function, where node-sqlite3 reports errors), so code that wraps the call in a promise
 * (Knex, Sequelize, `util.promisify`) gets a rejection; a call with no callback throws it.
 * Returns whether the call may go on.
 */
export function checked(args: readonly unknown[], check: () => void): boolean {
  try {
    check()
    return true
  } catch (error) {
    const callback = callbackOf(args)
    if (!callback) throw error
    const inContext = AsyncResource.bind(() => callback.call(undefined, error))
    answerSoon(inContext)
    return false
  }
}

/** How a query outside any test is named in its error: through the seam the app called. */
export const madeOutside = 'a query through testSqlite3Database() was made'
