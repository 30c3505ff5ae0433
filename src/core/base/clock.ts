// The plugin's own clocks and timers, captured when it loads. A project that fakes time
// (`vi.useFakeTimers()` in a setup file, which runs after the plugin's) fakes it for the code
// under test, not for the plugin's locks, cache and logs: a lock deadline read from a frozen
// Date.now() would never pass, and a build would take "0 ms".

const wallNow = Date.now
const monotonicNow = performance.now.bind(performance)
const realSetTimeout = globalThis.setTimeout

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
