import fs from 'node:fs'
import path from 'node:path'
import { isAlive, SqliteFixturesConfigError, verbose, wallClock } from '../base/index.js'

/**
 * The on-disk template cache. A template is stored as `template-<key>-<sha256>.sqlite`: the
 * name carries the checksum of the bytes, so one atomic rename publishes both, and a
 * truncated or corrupted file is detected on read, removed and rebuilt, never used.
 */

// node:crypto and node:os are loaded on use, not imported: loading node:crypto costs ~15 ms,
// which a test file that never touches a database should not pay.
const crypto = () => process.getBuiltinModule('node:crypto')
const checksum = (bytes: Buffer) => crypto().createHash('sha256').update(bytes).digest('hex').slice(0, 16)
const templateName = /^template-(\w+)-([0-9a-f]{16})\.sqlite$/
/** A template being written, or built in a file (with SQLite's journals beside it): `<name>.<pid>.<random>.tmp`. */
const staleWrite = /^template-[\w-]+\.sqlite\.(\d+)\.[0-9a-f]{12}\.tmp(?:-journal|-wal|-shm)?$/

/** A cached template for this key, verified against its checksum. */
export function readTemplate(cacheDir: string, key: string): { file: string; image: Buffer } | undefined {
  let names: string[]
  try {
    names = fs.readdirSync(cacheDir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  for (const name of names) {
    const match = templateName.exec(name)
    if (match?.[1] !== key) continue
    const file = path.join(cacheDir, name)
    let image: Buffer
    try {
      image = fs.readFileSync(file)
    } catch {
      continue // removed by another process since the listing
    }
    if (checksum(image) === match[2]) {
      markUsed(file)
      return { file, image }
    }
    verbose(`template cache file is corrupted (checksum mismatch), rebuilding: ${file}`)
    fs.rmSync(file, { force: true })
  }
  return undefined
}

/** How many templates the cache keeps: one per branch or schema version a developer switches between. */
const kept = 20
const hour = 3_600_000

/** Touches a template on use (at most hourly), so pruning removes the ones no run uses; says whether it did. */
export function markUsed(file: string): boolean {
  try {
    const now = wallClock()
    if (now - fs.statSync(file).mtimeMs <= hour) return false
    fs.utimesSync(file, now / 1000, now / 1000)
    return true
  } catch {
    return false // removed meanwhile: nothing to mark
  }
}

/** Removes all but the `kept` most recently used templates; only files named as templates. */
export function pruneTemplates(cacheDir: string): void {
  const templates = fs
    .readdirSync(cacheDir)
    .filter((name) => templateName.test(name))
    .map((name) => ({ file: path.join(cacheDir, name), used: fs.statSync(path.join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used)
  for (const { file } of templates.slice(kept)) {
    if (wallClock() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) < hour) continue
    fs.rmSync(file, { force: true })
    verbose(`pruned an unused template: ${file}`)
  }
}

/** Writes through a temp file and a rename, so no reader ever sees a half-written template. */
export function writeTemplate(cacheDir: string, key: string, image: Buffer): string {
  const file = path.join(cacheDir, `template-${key}-${checksum(image)}.sqlite`)
  const temp = `${file}.${process.pid}.${crypto().randomBytes(6).toString('hex')}.tmp`
  try {
    fs.writeFileSync(temp, image, { mode: 0o600, flag: 'wx' })
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
  return file
}

/** Where a template is built when its steps need a file: named as a write in progress, so a crash's leftover is swept. */
export function buildFileName(cacheDir: string, name: string): string {
  return path.join(cacheDir, `template-${name}.sqlite.${process.pid}.${crypto().randomBytes(6).toString('hex')}.tmp`)
}

/** Removes temp files that crashed processes left mid-write. */
export function sweepStaleWrites(cacheDir: string): void {
  for (const name of fs.readdirSync(cacheDir)) {
    const pid = staleWrite.exec(name)?.[1]
    if (pid !== undefined && !isAlive(Number(pid))) fs.rmSync(path.join(cacheDir, name), { force: true })
  }
}

const warned = new Set<string>()

/** Makes `dir` (0700) if needed and checks this process can write there. */
function ensureWritable(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  fs.accessSync(dir, fs.constants.W_OK)
}

/** This user's cache dir in the OS temp dir, used only if it is private: owned by this user, no symlink, writable by no one else. */
function privateFallback(fallback: string): string {
  ensureWritable(fallback)
  const stat = fs.lstatSync(fallback)
  const uid = process.getuid?.()
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
    throw new Error(`${fallback} is not a private directory of this user`)
  }
  return fallback
}

/**
 * The cache dir to use: the configured one, or, when it cannot be written (read-only
 * checkout, a file in the way), a private dir of this user's in the OS temp dir, said once.
 */
export function usableCacheDir(preferred: string): string {
  try {
    ensureWritable(preferred)
    return preferred
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error)
    const fallback = path.join(process.getBuiltinModule('node:os').tmpdir(), `sqlite-fixtures-cache-${process.getuid?.() ?? 'user'}`)
    try {
      privateFallback(fallback)
    } catch (fallbackError) {
      throw new SqliteFixturesConfigError(
        `sqlite-fixtures: cannot write the template cache to ${preferred} (${reason}), nor to ${fallback} ` +
          `(${fallbackError instanceof Error ? fallbackError.message : String(fallbackError)}). ` +
          'Set the option cacheDir (or SQLITE_FIXTURES_CACHE_DIR) to a writable directory.',
        { cause: fallbackError },
      )
    }
    if (!warned.has(preferred)) {
      warned.add(preferred)
      console.warn(
        `sqlite-fixtures: cannot write the template cache to ${preferred} (${reason}); using ${fallback} instead. ` +
          'Set the option cacheDir to choose another directory.',
      )
    }
    return fallback
  }
}
