import fs from 'node:fs'
import path from 'node:path'
import { SqliteFixturesConfigError, verbose } from '../base/index.js'
import { sweepLeftovers } from './sweep.js'

/** Letters and digits, for the part of the dir's name this process picks; no X, as Node warns of a mkdtemp prefix ending in one. */
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A private directory (mode 0700, unpredictable name, made by mkdtemp) that holds this process's
 * test databases. Made on first use; names inside come from a counter, which is far cheaper
 * than a fresh random name per test. Only files this object handed out are ever deleted.
 */
export class TempDir {
  #dir: string | undefined
  #count = 0
  readonly #base: string | undefined

  constructor(base?: string) {
    this.#base = base
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
    try {
      if (this.#base !== undefined) fs.mkdirSync(this.#base, { recursive: true, mode: 0o700 })
      sweepLeftovers(this.#base)
      // Named sqlite-fixtures-<pid>-<12 letters and digits>: its pid lets a later run tell a
      // crashed process's leftovers from a live one's. mkdtemp adds the last 6 from the OS's
      // random source and makes the dir (mode 0700) only if no such name exists: unpredictable
      // and never shared, without the `tmp` package, whose node:crypto cost ~13 ms of CPU per file.
      // In the real path of the base (as `tmp` did), so paths reported match what a shell shows.
      const base = fs.realpathSync(this.#base ?? process.getBuiltinModule('node:os').tmpdir())
      const own = Array.from({ length: 6 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('')
      return fs.mkdtempSync(path.join(base, `sqlite-fixtures-${process.pid}-${own}`))
    } catch (error) {
      const where = this.#base ?? 'the OS temp dir'
      throw new SqliteFixturesConfigError(
        `sqlite-fixtures: cannot make a private temp dir for file-mode databases in ${where} ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)}). Set the option tempDir to a writable directory.`,
        { cause: error },
      )
    }
  }

  /** Removes the directory if it is empty; a kept database stays where it was reported. */
  remove(): void {
    if (this.#dir === undefined) return
    try {
      fs.rmdirSync(this.#dir)
      this.#dir = undefined
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'ENOENT') throw error
    }
  }
}
