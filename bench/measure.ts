// Measures one row with tinybench and reduces it to what the report shows.
import { Bench } from 'tinybench'
import { isPromiseLike } from '../src/core/base/promise-like.js'

/** What one row measured, in milliseconds per iteration (one test's acquire + release). */
export interface Measurement {
  readonly medianMs: number
  readonly p95Ms: number
  readonly samples: number
}

/** How long to measure one row: slow rows need fewer iterations to be steady. */
export interface Budget {
  /** Measure for at least this long (ms). */
  readonly time: number
  /** ...and at least this many iterations. */
  readonly iterations: number
  /** Warm-up iterations before measuring (also fills caches and JIT). */
  readonly warmup: number
}

export const quick: Budget = { time: 700, iterations: 200, warmup: 50 }
export const slow: Budget = { time: 1_000, iterations: 15, warmup: 3 }
export const verySlow: Budget = { time: 0, iterations: 5, warmup: 1 }

/** The value at quantile `q` of sorted samples, interpolated as tinybench does. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  const lowValue = sorted[low] as number
  return lowValue + ((sorted[high] as number) - lowValue) * (at - low)
}

/** Summarizes plain wall-time samples (the suite-level rows). */
export function summarize(samplesMs: readonly number[]): Measurement {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  return { medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), samples: sorted.length }
}

/**
 * Runs `fn` repeatedly and returns its median and p95. Each row gets its own Bench, so a
 * slow row can have its own iteration budget; tinybench runs until both the time and the
 * iteration budget are spent.
 */
export async function measure(name: string, fn: () => unknown, budget: Budget = quick): Promise<Measurement> {
  // tinybench tells a sync task from an async one by calling it once without awaiting it,
  // which would overlap that call with the first measured one: two tests at once, which
  // the plugin's rows must never see. One awaited call here tells it instead.
  const first = fn()
  const async = isPromiseLike(first)
  if (async) await first
  const bench = new Bench({
    name,
    time: budget.time,
    iterations: budget.iterations,
    warmup: budget.warmup > 0,
    warmupIterations: budget.warmup,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  })
  bench.add(name, fn, { async })
  const [task] = await bench.run()
  const result = task?.result
  if (!result || !('latency' in result) || !result.latency.samples) {
    throw new Error(`bench row "${name}" produced no samples (state: ${result?.state ?? 'none'})`)
  }
  return summarize(result.latency.samples)
}
