import fs from 'node:fs'
import { sidecars } from '../core/driver/index.js'

interface Left {
  readonly source: string
  readonly ino: bigint
  readonly size: bigint
  readonly mtimeNs: bigint
  readonly ctimeNs: bigint
}

/**
 * What each D1 file was last given, and its state just after: a second guard, beside the calls
 * the setup file saw, that nothing (another worker, a process) wrote to it since. A write
 * leaves a WAL, or, once D1's object closed and checkpointed it, a changed main file.
 */
export class SwappedFiles {
  readonly #left = new Map<string, Left>()

  /** Notes that `file` was just given `source` (the template, or a describe block's copy). */
  given(file: string, source: string): void {
    const { ino, size, mtimeNs, ctimeNs } = fs.statSync(file, { bigint: true })
    this.#left.set(file, { source, ino, size, mtimeNs, ctimeNs })
  }

  /** Whether `file` holds `source`, as the last swap left it: no journal beside it, the same inode, size and times. */
  holds(file: string, source: string): boolean {
    const left = this.#left.get(file)
    if (left?.source !== source) return false
    if (sidecars.some((suffix) => fs.existsSync(file + suffix))) return false
    const now = fs.statSync(file, { bigint: true, throwIfNoEntry: false })
    return now !== undefined && now.ino === left.ino && now.size === left.size && now.mtimeNs === left.mtimeNs && now.ctimeNs === left.ctimeNs
  }
}
