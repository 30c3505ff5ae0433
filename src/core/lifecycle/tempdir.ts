import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { SqliteFixturesConfigError, verbose } from '../base/index.js'
import { sweepLeftovers } from './sweep.js'

// Loaded on first use: a test file whose tests never make a database file skips its cost
// (~10 ms per file, paid again in every isolated test file).
const require = createRequire(import.meta.url)
export const loadTmp = () => require('tmp') as typeof import('tmp')

/**
 * A private directory (mode 0700, unpredictable name from `tmp`) that holds this process's
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
      return loadTmp().dirSync({
        // `tmp` names it sqlite-fixtures-<pid>-<12 random chars>: unpredictable, and its pid
        // lets a later run tell a crashed process's leftovers from a live one's.
        prefix: 'sqlite-fixtures',
        mode: 0o700,
        ...(this.#base === undefined ? {} : { tmpdir: this.#base }),
      }).name
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
