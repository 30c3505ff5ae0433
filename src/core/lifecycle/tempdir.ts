import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { SqliteFixturesConfigError, verbose } from '../base/index.js'
import { sweepLeftovers } from './sweep.js'

// Loaded on first use: a test file whose tests never make a database file skips its cost
// (~10 ms per file, paid again in every isolated test file).
const require = createRequire(import.meta.url)
export const loadTmp = () => require('tmp') as typeof import('tmp')

/** The private dir of a run, made in the runner's main process (run-dir.ts), in `base`: the OS temp dir or the option tempDir. */
export interface RunTempDir {
  readonly base: string
  readonly dir: string
}

/** Where a process puts its temp dirs: the option tempDir, or the OS temp dir. */
export const tempBase = (tempDir: string | undefined): string => path.resolve(tempDir ?? os.tmpdir())

/**
 * Sweeps what crashed processes (and `closedRuns`, see run-dir.ts) left in `tempDir` (or the
 * OS temp dir), then makes a private dir there with `tmp`, mode 0700, named
 * sqlite-fixtures-<pid>-<12 random chars>: unpredictable, and its pid lets a later run tell a
 * crashed process's leftovers from a live one's.
 */
export function makeOwnDir(tempDir: string | undefined, closedRuns?: ReadonlySet<string>): string {
  if (tempDir !== undefined) fs.mkdirSync(tempDir, { recursive: true, mode: 0o700 })
  sweepLeftovers(tempDir, closedRuns)
  return loadTmp().dirSync({ prefix: 'sqlite-fixtures', mode: 0o700, ...(tempDir === undefined ? {} : { tmpdir: tempDir }) }).name
}

/**
 * A private directory (mode 0700, unpredictable name: made inside the run's, see run-dir.ts,
 * or else by `tmp`) that holds this process's test databases. Made on first use; names inside
 * come from a counter, which is far cheaper than a fresh random name per test. Only files
 * this object handed out are ever deleted.
 */
export class TempDir {
  #dir: string | undefined
  #count = 0
  readonly #base: string | undefined
  /** The run's dir, made by the main process in this same base, to make this one inside. */
  #run: RunTempDir | undefined

  constructor(base?: string, run?: RunTempDir) {
    this.#base = base
    this.#run = run && run.base === tempBase(base) ? run : undefined
  }

  /** The directory, if it was made. */
  get path(): string | undefined {
    return this.#dir
  }

  /** A new, unused path inside the directory. */
  #nextPath(suffix: string): string {
    this.#dir ??= this.#make()
    this.#count += 1
    return path.join(this.#dir, `${this.#count}${suffix}`)
  }

  /**
   * A new path inside the directory, with `create(path)` run on it. A test may delete the
   * directory (the folder of its own database file, say): then a new one is made, once, and
   * the next tests go on in it.
   */
  create(suffix: string, create: (file: string) => void): string {
    const file = this.#nextPath(suffix)
    try {
      create(file)
      return file
    } catch (error) {
      const gone = this.#dir !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(this.#dir)
      if (!gone) throw error
      verbose(`the private temp dir ${this.#dir} was deleted (by a test?): making a new one`)
      this.#dir = undefined
    }
    const again = this.#nextPath(suffix)
    create(again)
    return again
  }

  #make(): string {
    const inRun = this.#inRun()
    if (inRun !== undefined) return inRun
    try {
      return makeOwnDir(this.#base)
    } catch (error) {
      const where = this.#base ?? 'the OS temp dir'
      throw new SqliteFixturesConfigError(
        `sqlite-fixtures: cannot make a private temp dir for file-mode databases in ${where} ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)}). Set the option tempDir to a writable directory.`,
        { cause: error },
      )
    }
  }

  /**
   * A dir of this process's own inside the run's dir (0700, as `mkdtemp` makes it), or
   * undefined where that dir is gone (a test removed it): then `tmp` makes one, as without.
   */
  #inRun(): string | undefined {
    if (!this.#run) return undefined
    try {
      return fs.mkdtempSync(path.join(this.#run.dir, `${process.pid}-`))
    } catch (error) {
      verbose(`cannot make a dir in the run's private temp dir ${this.#run.dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}): making one of this process's own`)
      this.#run = undefined
      return undefined
    }
  }

  /** Whether a dir of this process's own needs `tmp` (no run's dir to make it in). */
  get needsTmp(): boolean {
    return this.#run === undefined
  }

  /** Removes the directory if it is empty; a kept database stays where it was reported. */
  remove(): void {
    if (this.#dir === undefined) return
    try {
      fs.rmdirSync(this.#dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'ENOENT') throw error
    }
    // A dir holding a kept database is not used again: the next file makes its own, so a
    // sweep of what an ended run kept never takes a file a later test is using.
    this.#dir = undefined
  }
}
