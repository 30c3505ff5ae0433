import { realmState, throwUncaught } from '../base/index.js'
import { isBlock } from './block.js'
import { contextHere, runFor } from './context.js'
import { unreported } from './refusals.js'
import type { TestScope } from './scope.js'

// A real timer's callback runs in the async context of the code that scheduled it; a fake
// clock's (Vitest's and Jest's fake timers) runs synchronously in the context of whoever
// advances the clock. So test A's debounced write, still pending when A ends, would run as
// test B's when B advances the clock, and write into B's database. Each callback a test
// schedules on a fake clock is bound to that test, as a real timer's is: A's callback is A's
// late work, and refused. What no test scheduled (an app's scheduler started in a beforeAll,
// or at import) runs as the test that drives the clock, as it did.

type Callback = (this: unknown, ...args: unknown[]) => unknown
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

/** The test the code here runs for, by the plugin's own context; not a block's setup, nor no one. */
function schedulingTest(): TestScope | undefined {
  const here = contextHere()
  return here && !isBlock(here) ? (here as TestScope) : undefined
}

/**
 * `callback`, to run as the test that schedules it now, if a test does. Once that test has
 * ended, what the callback throws is not the advancing test's failure: a refusal of the
 * plugin's is reported with its owner already, anything else is an error of the run, as a
 * real timer's would be.
 */
function bound(callback: Callback): Callback {
  const test = schedulingTest()
  if (!test) return callback
  return function (this: unknown, ...args: unknown[]) {
    try {
      return runFor(test, () => callback.apply(this, args))
    } catch (error) {
      if (!test.ended) throw error
      if (!unreported().includes(error as Error)) throwUncaught(error as Error)
      return undefined
    }
  }
}

const bindArgument = (callback: unknown) => (typeof callback === 'function' ? bound(callback as Callback) : callback)

/** The binding wrappers made: they carry their fake's `clock` too, and are not wrapped again. */
const wrappersMade = new WeakSet<object>()

/**
 * Whether `fn` is a fake clock's own: @sinonjs/fake-timers (Vitest's, Jest's modern ones)
 * marks each function it installs with its `clock`. Not a binding wrapper, nor a spy on one
 * (a mock, which copies the `clock` it finds and calls the wrapper it spied on).
 */
function isFakeClocks(fn: unknown): fn is Schedule {
  if (typeof fn !== 'function' || !Object.prototype.hasOwnProperty.call(fn, 'clock') || wrappersMade.has(fn)) return false
  return (fn as { _isMockFunction?: unknown })._isMockFunction !== true
}

interface JestMock {
  _isMockFunction?: boolean
  getMockImplementation?: () => Schedule | undefined
  mockImplementation?: (implementation: Schedule) => unknown
}

/** Whether `fn` is one of Jest's legacy fake timers: a mock whose implementation is the fake's own. */
function isLegacyFake(fn: unknown): fn is JestMock {
  const mock = fn as JestMock | undefined
  return typeof fn === 'function' && mock?._isMockFunction === true && /^bound _fake/.test(mock.getMockImplementation?.()?.name ?? '')
}

/** The fake clock's function, with each callback bound as above; its own marks (its clock, util.promisify's form) kept. */
function bindingCallbacks(fake: Schedule): Schedule {
  const wrapper = function (this: unknown, callback: unknown, ...rest: unknown[]) {
    return fake.call(this, bindArgument(callback), ...rest)
  }
  const { prototype: _prototype, arguments: _arguments, caller: _caller, ...carried } = Object.getOwnPropertyDescriptors(fake)
  Object.defineProperties(wrapper, carried)
  wrappersMade.add(wrapper)
  return wrapper
}

/** Legacy fake timers are mocks: their implementation binds instead, so `mock.calls` still holds the callback given. */
function bindLegacy(mock: JestMock, bound: WeakSet<object>): void {
  const implementation = mock.getMockImplementation?.()
  if (!implementation || bound.has(mock)) return
  bound.add(mock)
  mock.mockImplementation?.((callback, ...rest) => implementation(bindArgument(callback), ...rest))
}

/**
 * Makes every fake clock installed in this realm from now on (and one installed already) bind
 * the callbacks tests schedule on it. Each scheduling function becomes an accessor: assigning
 * it (as a fake clock does when it installs, and again when it restores the real one) keeps
 * the function given, and reading it answers, for a fake clock's, a binding wrapper. Real
 * functions and other fakes (spies) are given back as they are. Once per realm.
 */
export function bindFakeTimers(): void {
  realmState('fake-timers', () => {
    const legacy = new WeakSet<object>()
    for (const [target, name] of scheduling) accessFake(target, name, legacy)
    return {}
  })
}

function accessFake(target: object, name: string, legacy: WeakSet<object>): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, name)
  if (!descriptor || !('value' in descriptor) || typeof descriptor.value !== 'function' || !descriptor.configurable) return
  const enumerable = descriptor.enumerable ?? true
  const wrappers = new WeakMap<Schedule, Schedule>()
  const answer = (fn: unknown) => {
    // Read afresh: the clock marks its function (`.clock`) just after installing it.
    if (!isFakeClocks(fn)) return fn
    let wrapper = wrappers.get(fn)
    if (!wrapper) {
      wrapper = bindingCallbacks(fn)
      wrappers.set(fn, wrapper)
    }
    return wrapper
  }
  // Each assignment installs an accessor of its own, answering the function assigned, so the
  // property behaves as a plain one: a spy (vi.spyOn, jest.spyOn) takes the getter it finds
  // over, keeping this setter, and its restore puts that getter back, which answers what was
  // there before the spy, whatever was assigned meanwhile (Vitest's RPC saves the globals and
  // assigns them back around each message; a fake clock assigns its own and then the saved).
  const holding = (fn: unknown): PropertyDescriptor => ({ configurable: true, enumerable, get: () => answer(fn), set })
  function set(fn: unknown): void {
    if (isLegacyFake(fn)) bindLegacy(fn, legacy)
    Object.defineProperty(target, name, holding(fn))
  }
  set(descriptor.value)
}
