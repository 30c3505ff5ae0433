import { performance as realPerformance } from 'node:perf_hooks'
import { setImmediate as realSetImmediate, setTimeout as realSetTimeout } from 'node:timers'

// The plugin's own clocks and timers, taken from Node's modules, not the globals, and when it
// loads. A project that fakes time fakes the globals (`vi.useFakeTimers()` in a setup file;
// Jest's `fakeTimers: { enableGlobally: true }`, even before the plugin loads) for the code
// under test, not for the plugin's locks, cache, logs and end-of-file drain: a lock deadline
// read from a frozen clock would never pass, and a drain on a fake setImmediate never ends.

const monotonicNow = realPerformance.now.bind(realPerformance)
const timeOrigin = realPerformance.timeOrigin

/** Milliseconds since the epoch, by the real clock: for comparing with file times. */
export function wallClock(): number {
  return timeOrigin + monotonicNow()
}

/** A real, monotonic time in milliseconds: for deadlines and durations. */
export function monotonicClock(): number {
  return monotonicNow()
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    realSetTimeout(resolve, ms)
  })
}

/** Resolves once the event loop has gone round `turns` times: what was queued (immediates, due timers, their promises) has run. */
export async function nextTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => realSetImmediate(resolve))
}

/** Throws `error` outside any caller, as an uncaught error: the runner reports it as an error of the run. */
export function throwUncaught(error: Error): void {
  realSetImmediate(() => {
    throw error
  })
}
