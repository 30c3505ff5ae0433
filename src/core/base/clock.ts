// The plugin's own clocks and timers, captured when it loads. A project that fakes time
// (`vi.useFakeTimers()` in a setup file, which runs after the plugin's) fakes it for the code
// under test, not for the plugin's locks, cache and logs: a lock deadline read from a frozen
// Date.now() would never pass, and a build would take "0 ms".

const wallNow = Date.now
const monotonicNow = performance.now.bind(performance)
const realSetTimeout = globalThis.setTimeout
const realSetImmediate = globalThis.setImmediate

/** Milliseconds since the epoch, by the real clock: for comparing with file times. */
export function wallClock(): number {
  return wallNow()
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
