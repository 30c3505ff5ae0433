import { AsyncResource } from 'node:async_hooks'
import { realmState } from '../base/index.js'

// A real timer's callback runs in the async context of the code that scheduled it; a fake
// clock's (Vitest's and Jest's modern fake timers, both @sinonjs/fake-timers) runs
// synchronously in the context of whoever advances the clock. So test A's debounced write,
// still pending when A ends, would run as test B's when B advances the clock, and write into
// B's database. Binding each fake-scheduled callback to its scheduler's context makes fake
// timers keep ownership as real ones do: A's callback is A's late work, and refused.

type Callback = (...args: unknown[]) => unknown
type Schedule = (callback: unknown, ...rest: unknown[]) => unknown

/** The functions a fake clock replaces whose callbacks run later, and the object each lives on. */
const scheduling: readonly [object, string][] = [
  [globalThis, 'setTimeout'],
  [globalThis, 'setInterval'],
  [globalThis, 'setImmediate'],
  [globalThis, 'queueMicrotask'],
  [globalThis, 'requestAnimationFrame'],
  [globalThis, 'requestIdleCallback'],
  [process, 'nextTick'],
]

/** Whether `fn` is a fake clock's: @sinonjs/fake-timers marks every function it installs with its `clock`. */
function isFakeClocks(fn: unknown): fn is Schedule {
  return typeof fn === 'function' && Object.prototype.hasOwnProperty.call(fn, 'clock')
}

/** The fake function, with each callback bound to the async context it was scheduled in; otherwise the same function. */
function bindingCallbacks(fake: Schedule): Schedule {
  const bound = function (this: unknown, callback: unknown, ...rest: unknown[]) {
    return fake.call(this, typeof callback === 'function' ? AsyncResource.bind(callback as Callback) : callback, ...rest)
  }
  // What the fake carries (its clock, name, length, util.promisify's custom form) stays visible.
  const { prototype: _prototype, arguments: _arguments, caller: _caller, ...carried } = Object.getOwnPropertyDescriptors(fake)
  Object.defineProperties(bound, carried)
  return bound
}

/**
 * Makes every fake clock installed in this realm from now on (and one installed already) run
 * each callback in the async context that scheduled it. Each scheduling function becomes an
 * accessor: assigning it (as a fake clock does when it installs, and again when it restores
 * the real one) keeps the function given, and reading it answers, for a fake clock's, a
 * binding wrapper. Real functions, and other fakes (Jest's legacy timers, spies), are given
 * back as they are. Once per realm.
 */
export function bindFakeTimers(): void {
  realmState('fake-timers', () => {
    for (const [target, name] of scheduling) accessFake(target, name)
    return {}
  })
}

function accessFake(target: object, name: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, name)
  if (!descriptor || !('value' in descriptor) || typeof descriptor.value !== 'function' || !descriptor.configurable) return
  let current: unknown = descriptor.value
  const wrappers = new WeakMap<Schedule, Schedule>()
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: descriptor.enumerable ?? true,
    get() {
      // Read afresh: the clock marks its function (`.clock`) just after installing it.
      if (!isFakeClocks(current)) return current
      let wrapper = wrappers.get(current)
      if (!wrapper) {
        wrapper = bindingCallbacks(current)
        wrappers.set(current, wrapper)
      }
      return wrapper
    },
    set(fn: unknown) {
      current = fn
    },
  })
}
