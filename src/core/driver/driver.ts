import fs from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type BetterSqlite3 from 'better-sqlite3'
import { driverUnavailable } from './missing-driver.js'

// The driver seam: every database the plugin itself opens, copies, snapshots or deletes
// goes through this module (the template, each test's clone, the ORM layers' migrators).
// A second driver plugs in here, not in the rooms above.

/** A connection the plugin opened: better-sqlite3's own `Database`, handed to users as is. */
type Connection = BetterSqlite3.Database

// better-sqlite3 is a native addon that takes ~10 ms to load: it is loaded with the first
// database a process opens, so a test file that never opens one never pays for it.
let driver: typeof BetterSqlite3 | undefined
const require = createRequire(import.meta.url)

/**
 * Runs what loads better-sqlite3 (its module, or its native addon, which it loads with the
 * first database): a driver that is not installed, never built or built for another Node
 * fails with the plugin's own error, naming the fix for the package manager in use.
 */
function loading<T>(load: () => T): T {
  try {
    return load()
  } catch (error) {
    throw driverUnavailable(error, fileURLToPath(import.meta.url)) ?? error
  }
}

/** Loads better-sqlite3 now, if it is not loaded: before a moment where loading code is refused (see `preloadCode`). */
export function loadDriver(): typeof BetterSqlite3 {
  driver ??= loading(() => require('better-sqlite3') as typeof BetterSqlite3)
  return driver
}

/** Opens a database: a file, `':memory:'`, or a deserialized image (an in-memory copy of its bytes). */
export function openDatabase(source: string | Buffer, options?: BetterSqlite3.Options): Connection {
  const loaded = loadDriver()
  return loading(() => new loaded(source, options))
}

/**
 * Lets the next realm that opens a database give better-sqlite3 its own error class. The
 * native addon is loaded once per process, and takes the `SqliteError` class of the first
 * code that opens a database: when a main process builds the template and then runs the
 * tests in the same process, in another realm (Jest's global setup, then Jest in band), the
 * tests' SQLite errors would be of the main process's class, which their `instanceof`
 * and `toThrow` do not recognize.
 */
export function releaseDriver(): void {
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (file.endsWith('better_sqlite3.node') && loaded) (loaded.exports as { isInitialized?: boolean }).isInitialized = false
  }
}

/** A private in-memory database, empty or a copy of `image`, with foreign keys on (for builds and migrators). */
export function openScratch(image?: Buffer): Connection {
  const db = openDatabase(image ?? ':memory:')
  db.pragma('foreign_keys = ON')
  return db
}

/** A database file opened for building (made if missing), with foreign keys on: for steps whose driver opens the file too. */
export function openScratchFile(file: string): Connection {
  const db = openDatabase(file)
  db.pragma('foreign_keys = ON')
  return db
}

/** The database's bytes, as a file would hold them: what a clone or a derived template starts from. */
export function snapshot(db: Connection): Buffer {
  return db.serialize()
}

/**
 * Why better-sqlite3 cannot read a database file's schema (a libSQL-only feature in it, such
 * as a vector index or a `RANDOM ROWID` table), or `undefined` when it can.
 */
export function unreadableSchema(file: string): string | undefined {
  let db: Connection | undefined
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true })
    // Any statement makes SQLite parse the whole schema.
    db.prepare('select count(*) from sqlite_master').get()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    db?.close()
  }
}

/** SQLite's files beside a database: one exists once a connection opened it in WAL mode, or wrote to it. */
export const sidecars = ['-journal', '-wal', '-shm']

/** Writes an image as a new database file (mode 0600); fails if the file exists. */
export function writeDatabaseFile(file: string, image: Buffer): void {
  fs.writeFileSync(file, image, { mode: 0o600, flag: 'wx' })
}

/** Copies a database file to a new one (a reflink where the file system has them); fails if it exists. */
export function copyDatabaseFile(from: string, to: string): void {
  fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE | fs.constants.COPYFILE_EXCL)
}

/** How much of a database file `replaceDatabaseFile()` compares at a time. */
const replaceChunk = 64 * 1024

/** Reads `length` bytes at `position` into `buffer` (fewer only where the file ends), and returns them. */
function readAt(fd: number, buffer: Buffer, length: number, position: number): Buffer {
  let read = 0
  while (read < length) {
    const got = fs.readSync(fd, buffer, read, length - read, position + read)
    if (got === 0) break
    read += got
  }
  return buffer.subarray(0, read)
}

/** The copy `replaceDatabaseFile()` writes, read a chunk at a time: an image's bytes, or a file's. */
interface CopySource {
  readonly size: number
  chunk(at: number, length: number): Buffer
  close(): void
}

function copySource(from: string | Buffer): CopySource {
  if (typeof from !== 'string') return { size: from.length, chunk: (at, length) => from.subarray(at, at + length), close() {} }
  const fd = fs.openSync(from, 'r')
  const buffer = Buffer.allocUnsafe(replaceChunk)
  try {
    return { size: fs.fstatSync(fd).size, chunk: (at, length) => readAt(fd, buffer, length, at), close: () => fs.closeSync(fd) }
  } catch (error) {
    fs.closeSync(fd)
    throw error
  }
}

/**
 * Replaces a closed database's file with a copy of `from` (a file, or an image's bytes), and drops its journals, so the next
 * connection opens the copy (a D1 database between two tests, while its object is closed).
 * Only the parts that differ are written, over the old bytes: a test changes a few pages.
 * Truncating the file and writing it whole made a disk file system free and allocate all its
 * blocks again, and cost D1 tests on ext4 1-3 ms each at 50 kB and 8-14 ms at 2.5 MB.
 */
export function replaceDatabaseFile(from: string | Buffer, to: string): void {
  for (const suffix of sidecars) fs.rmSync(to + suffix, { force: true })
  const source = copySource(from)
  let target: number | undefined
  try {
    target = fs.openSync(to, fs.constants.O_RDWR | fs.constants.O_CREAT)
    const old = Buffer.allocUnsafe(replaceChunk)
    for (let at = 0; at < source.size; at += replaceChunk) {
      const wanted = source.chunk(at, Math.min(replaceChunk, source.size - at))
      if (readAt(target, old, wanted.length, at).equals(wanted)) continue
      for (let written = 0; written < wanted.length; ) written += fs.writeSync(target, wanted, written, wanted.length - written, at + written)
    }
    fs.ftruncateSync(target, source.size)
  } finally {
    if (target !== undefined) fs.closeSync(target)
    source.close()
  }
}

/** Deletes a database file the plugin made, with its journals. */
export function removeDatabaseFile(file: string): void {
  for (const suffix of ['', ...sidecars]) fs.rmSync(file + suffix, { force: true })
}

/**
 * The driver's version, which stands for the SQLite it bundles and so for the file format:
 * part of the template's cache key. Read from its package.json: it costs no connection.
 */
export function driverVersion(): string {
  return loading(() => require('better-sqlite3/package.json') as { version: string }).version
}
