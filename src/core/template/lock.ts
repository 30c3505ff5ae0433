import fs from 'node:fs'
import { isAlive, monotonicClock, sleep } from '../base/index.js'

/** How long to wait for another process's build before building anyway. */
const patienceMs = 120_000
const pollMs = 25

function holderIsGone(lockFile: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'))
    return Number.isInteger(pid) && pid > 0 && !isAlive(pid)
  } catch {
    return false
  }
}

/**
 * Runs `work` while holding `lockFile`, unless `done()` finds the result first. Only to
 * avoid duplicate work: correctness comes from the atomic rename of the result, so after a
 * long wait (`patience` ms, on the real clock), or when the holder died, this process goes
 * ahead on its own.
 */
export async function withLock<T>(lockFile: string, done: () => T | undefined, work: () => Promise<T>, patience = patienceMs): Promise<T> {
  const deadline = monotonicClock() + patience
  for (;;) {
    const finished = done()
    if (finished !== undefined) return finished
    let fd: number
    try {
      fd = fs.openSync(lockFile, 'wx', 0o600)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return work()
      if (holderIsGone(lockFile)) fs.rmSync(lockFile, { force: true })
      else if (monotonicClock() > deadline) return work()
      else await sleep(pollMs)
      continue
    }
    try {
      fs.writeSync(fd, String(process.pid))
      fs.closeSync(fd)
      return done() ?? (await work())
    } finally {
      fs.rmSync(lockFile, { force: true })
    }
  }
}
