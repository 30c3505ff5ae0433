import { AsyncLocalStorage } from 'node:async_hooks'
import { realmState } from '../base/index.js'

/**
 * The async context that says who code runs for (a test's scope, or a describe block): entered
 * around each test and block, and inherited by everything they start, timers and unawaited
 * promises included. Holds plain objects; `owner.ts` tells what they are. One per realm, so
 * a copy of the package loaded after a module reset sees the context the first copy entered.
 */
const context = realmState('context', () => ({
  storage: new AsyncLocalStorage<object>(),
  /** Marks code that runs for no one: the plugin's own teardown. */
  nobody: Object.freeze({ owner: 'nobody' }) as object,
}))
const { storage, nobody } = context

/** Runs `fn`, and all it starts, for `owner`. */
export function runFor<T>(owner: object, fn: () => T): T {
  return storage.run(owner, fn)
}

/** Runs the plugin's own work (a teardown) for no one, so that it is told apart from work a test left running. */
export function runAsNobody<T>(fn: () => T): T {
  return storage.run(nobody, fn)
}

/** Who the code running here runs for: an owner, `null` for the plugin's own work, or `undefined` where none was entered. */
export function contextHere(): object | null | undefined {
  const stored = storage.getStore()
  return stored === nobody ? null : stored
}
