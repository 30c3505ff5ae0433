// A call that reaches one of the project's Durable Objects runs in a request context of the
// object's, where the calling test's async context does not follow: what the object does for
// it (its D1 calls, a timer it leaves running) would be no test's, and a write it makes after
// the test ended would land in the next test's database. A file's tests run one at a time here
// (concurrent ones are refused), so a call an object gets while a test runs is taken as that
// test's, and the object's methods run for it: its statements join the test's report, and its
// work left running is refused once the test has ended. Alarms and WebSocket events are the
// runtime's own calls, made for no test: they stay unowned.
import { type Method, replaceOnce, runForRunningTest } from './ownership.js'

/** Methods the runtime calls by itself, not on a caller's behalf. */
const runtimeCalls = new Set(['constructor', 'alarm', 'webSocketMessage', 'webSocketClose', 'webSocketError'])

/** Whether `value` is a class that extends `base` (the runtime's `DurableObject`). */
function extendsBase(value: unknown, base: unknown): value is { prototype: object } {
  if (typeof value !== 'function' || typeof base !== 'function') return false
  const prototype: unknown = (value as { prototype?: unknown }).prototype
  return typeof prototype === 'object' && prototype !== null && prototype instanceof base
}

/**
 * Makes the methods of the Durable Object classes the worker's main module exports (those
 * that extend `base`, `DurableObject` from `cloudflare:workers`) run for the test running
 * when they are called, each method wrapped once on its class's prototype.
 */
export function carryTestsIntoObjects(main: Record<string, unknown> | undefined, base: unknown): void {
  if (main === undefined || typeof base !== 'function') return
  const baseline = (base as { prototype: object }).prototype
  for (const value of Object.values(main)) {
    if (!extendsBase(value, base)) continue
    for (let prototype: object | null = value.prototype; prototype !== null && prototype !== baseline; prototype = Object.getPrototypeOf(prototype) as object | null) {
      for (const name of Object.getOwnPropertyNames(prototype)) {
        if (runtimeCalls.has(name) || typeof Object.getOwnPropertyDescriptor(prototype, name)?.value !== 'function') continue
        replaceOnce(prototype as Record<string, unknown>, name, (original: Method) =>
          function (this: unknown, ...args: unknown[]) {
            return runForRunningTest(() => original.apply(this, args))
          },
        )
      }
    }
  }
}
