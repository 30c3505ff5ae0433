import type { Vitest } from 'vitest/node'
import { collectNotices } from '../core/base/index.js'

/** One collector per Vitest (its projects share it), so a notice is said once per run. */
const collectors = new WeakMap<Vitest, ReturnType<typeof collectNotices>>()

/**
 * Says, at the end of each run, the deprecation notices its workers noted (a setup file on
 * `useSqliteFixtures`, migrations a layer applies in every file), each once per Vitest process.
 */
export function sayNotices(vitest: Vitest, cacheDir: string): void {
  if (collectors.has(vitest)) return
  let collector: ReturnType<typeof collectNotices>
  try {
    collector = collectNotices(cacheDir)
  } catch {
    return // an unwritable cache dir: the workers say their notices themselves
  }
  collectors.set(vitest, collector)
  const reporters = vitest.config.reporters as unknown[]
  reporters.push({ onTestRunEnd: () => collector.take().forEach((text) => vitest.logger.warn(text)) })
  vitest.onClose(() => collector.close())
}
