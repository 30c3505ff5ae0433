import { FixtureUnavailableError, realmState } from '../base/index.js'
import { type Block, isBlock } from './block.js'
import { contextHere, runFor } from './context.js'
import { countLive } from './live.js'
import { forgetUnreported, reportAtFileEnd, unreported } from './refusals.js'
import type { TestScope } from './scope.js'

// Every database access belongs to the test, or the describe block's setup, whose async
// context made it, as a connection belongs to its owner in Ecto's SQL sandbox. There is no
// fallback to "the test running now": work a test left running (a timer, an unawaited call,
// code after a timeout) still carries that test's context, and is refused once it has ended.

/** Who code runs for: a test, or a block's setup (its `beforeAll` hooks). */
export type Owner = TestScope | Block

/** What the runner adapter told the core; per realm, so a copy loaded after a module reset knows it too. */
const adapter = realmState('owner', () => ({
  /** A runner's own record of the running test, where it keeps one per async context (Jest 30.5+). */
  runnerOwner: undefined as (() => Owner | undefined) | undefined,
  /** A runner adapter's explanation of why no test owns the code running here, if it knows one (`inTestOnly`: only where a test runs). */
  explainNoOwner: undefined as ((made: string, inTestOnly?: boolean) => Error | undefined) | undefined,
}))

/** Lets a runner that tracks its running test per async context (Jest) say who owns code the plugin's context does not reach. */
export function setRunnerOwner(find: () => Owner | undefined): void {
  adapter.runnerOwner = find
}

/**
 * Lets a runner adapter explain, with the error to throw, why no test owns the code running
 * here; `made` names what the user called, as `currentScope()` was told it.
 */
export function setNoOwnerExplanation(explain: (made: string, inTestOnly?: boolean) => Error | undefined): void {
  adapter.explainNoOwner = explain
}

/**
 * The runner adapter's explanation of why no test owns the code running here, if it has one;
 * with `inTestOnly`, only where the runner knows a test runs (a Jest hook out of order), not
 * where no test runs at all (a timer an app module started).
 */
export function explainedNoOwner(made: string, inTestOnly = false): Error | undefined {
  return adapter.explainNoOwner?.(made, inTestOnly)
}

/**
 * Runs `fn` (the test, with its hooks) as the given scope's: everything it starts belongs to
 * that test. Not an async function: every test goes through here, and an async wrapper cost
 * each a promise and the ticks to await it.
 */
export function runInScope<T>(scope: TestScope, fn: () => Promise<T>): Promise<T> {
  const done = countLive()
  let running: Promise<T>
  try {
    running = runFor(scope, fn)
  } catch (error) {
    done()
    throw error
  }
  // Registered first, so the count drops before the caller's await resumes.
  running.then(done, done)
  return running
}

/** Runs `fn` (a block's hooks and tests) inside the block: its `beforeAll` hooks write into the block's template. */
export function runInBlock<T>(block: Block, fn: () => Promise<T>): Promise<T> {
  return runFor(block, fn)
}

/** Runs `fn` as work of `owner`: for work a library queued in one test and sends from another's context (Prisma's batches). */
export function runAs<T>(owner: Owner, fn: () => T): T {
  return runFor(owner, fn)
}

/** Who owns the code running here: a test, a block's setup, or no one (import time, the plugin's own work). */
export function ownerHere(): Owner | undefined {
  const here = contextHere()
  if (here === null) return undefined
  return (here as Owner | undefined) ?? adapter.runnerOwner?.()
}

/** Whether the code running here is the plugin's own (a teardown), which belongs to no test and may touch any database. */
export function isPluginWork(): boolean {
  return contextHere() === null
}

/** The scope that holds an owner's databases: a test's own, or a block's setup scope if it is open. */
export function scopeOfOwner(owner: Owner): TestScope | undefined {
  return isBlock(owner) ? owner.openSetup : owner
}

/** How messages name an owner. */
export function ownerName(owner: Owner): string {
  return isBlock(owner) ? `the beforeAll of "${owner.name}"` : `test "${owner.test.name}"`
}

/**
 * Records a refusal where the run will report it even if the code that got it swallows it
 * (an app's try/catch, `rejects.toThrow()`): on the running test it was made in, which then
 * fails, or else for the end of the owner's file. Returns the error, to throw.
 */
export function refuse<E extends Error>(error: E, owner: Owner | undefined = ownerHere()): E {
  if (owner === undefined) reportAtFileEnd(error)
  else if (isBlock(owner)) reportAtFileEnd(error, owner.file, owner)
  else owner.refuse(error)
  return error
}

/** Forgets a refusal the code running here expected (`expectRefusal()`): its own test's or block's, never another's. */
export function acknowledge(error: unknown): void {
  const owner = ownerHere()
  if (owner === undefined) return
  if (isBlock(owner)) forgetUnreported(error, owner)
  else owner.forgetRefusal(error)
}

/** The refusals the plugin made for the code running here: its test's, or its block setup's. */
export function refusalsHere(): readonly Error[] {
  const owner = ownerHere()
  if (owner === undefined) return []
  return isBlock(owner) ? unreported(owner) : owner.refusals
}

/**
 * The scope of the test (or block setup) this code runs for, or `undefined` where no test or
 * block owns it (import time). Work of a test that has ended is refused.
 */
export function scopeIfAny(): TestScope | undefined {
  const owner = ownerHere()
  if (owner === undefined) return undefined
  if (isBlock(owner)) return owner.setupScope()
  if (owner.ended) throw owner.refuse(owner.lateWork())
  return owner
}

/**
 * The scope of the test this code runs for; outside any test, an error that says why, naming
 * what the user called (`made`: "a query through testKnex() was made", say).
 */
export function currentScope(made = 'currentDb() was called'): TestScope {
  const scope = scopeIfAny()
  if (scope) return scope
  // The runner adapter knows more (the hooks were never installed, a Jest hook out of order),
  // and reports its error where the runner shows it.
  const explained = explainedNoOwner(made)
  if (explained) throw explained
  throw new FixtureUnavailableError(
    `sqlite-fixtures: ${made} outside a test. Call it from a test, a hook, or code they call and ` +
      'await; at import time no test is running yet.',
  )
}

/** Pushes `item` on a stack of what is running; returns how to take it off again (wherever it is by then). */
export function pushRunning<T>(stack: T[], item: T): () => void {
  stack.push(item)
  return () => {
    const index = stack.lastIndexOf(item)
    if (index !== -1) stack.splice(index, 1)
  }
}
