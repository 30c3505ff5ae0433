// Which D1 databases were reached since their last fresh copy, seen from the wrapped methods of
// D1's classes (their prototypes serve every caller in the isolate: tests, the worker's handlers,
// the project's Durable Objects, the plugin itself). A database nothing reached still holds its
// copy, and needs no new one. Where a call cannot be tied to one binding's object (a statement
// of a session, an `env` other than the test's), every database counts as reached.
import { realmState } from '../core/base/index.js'

// One per realm, as D1's methods are wrapped once (see ownership.ts): `anyDatabase` stands for
// "a D1 database this module cannot name" (it reaches them all), `madeFrom` is the database
// object each prepared (or bound) statement was made from, `reached` what was reached.
const { anyDatabase, madeFrom, reached } = realmState('d1-uses', () => ({ anyDatabase: {}, madeFrom: new WeakMap<object, object>(), reached: new Set<object>() }))

/** Notes that `statement` was prepared (or bound) from `source`, a database or a statement. */
export function noteMadeFrom(statement: unknown, source: unknown): void {
  if (typeof statement !== 'object' || statement === null || typeof source !== 'object' || source === null) return
  madeFrom.set(statement, madeFrom.get(source) ?? source)
}

/** Notes a call on a database object (`batch`, `exec`). */
export function noteDatabaseCall(database: unknown): void {
  reached.add(typeof database === 'object' && database !== null ? database : anyDatabase)
}

/** Notes a prepared statement's call (`run`, `all`, `first`, `raw`): it reaches the database it was made from. */
export function noteStatementCall(statement: unknown): void {
  reached.add((typeof statement === 'object' && statement !== null && madeFrom.get(statement)) || anyDatabase)
}

/** Notes a database call of a kind that cannot be tied to one binding (`withSession()`). */
export function noteReachedAny(): void {
  reached.add(anyDatabase)
}

/**
 * Whether `database` (one of `bindings`, the test worker's D1 bindings) was reached since
 * the last `forgetReached()`: by a call on it, or by one on a database object that is none of them.
 */
export function wasReached(database: object, bindings: readonly object[]): boolean {
  if (reached.has(database) || reached.has(anyDatabase)) return true
  for (const object of reached) if (!bindings.includes(object)) return true
  return false
}

/** Starts noting afresh, once the databases got their copies. */
export function forgetReached(): void {
  reached.clear()
}
