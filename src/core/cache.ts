import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { verbose } from './log.js'
import { isAlive } from './sweep.js'

/**
 * The on-disk template cache. A template is stored as `template-<key>-<sha256>.sqlite`: the
 * name carries the checksum of the bytes, so one atomic rename publishes both, and a
 * truncated or corrupted file is detected on read, removed and rebuilt, never used.
 */

const checksum = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16)
const templateName = /^template-(\w+)-([0-9a-f]{16})\.sqlite$/
const staleWrite = /^template-[\w-]+\.sqlite\.(\d+)\.[0-9a-f]{12}\.tmp$/

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
    if (checksum(image) === match[2]) return { file, image }
    verbose(`template cache file is corrupted (checksum mismatch), rebuilding: ${file}`)
    fs.rmSync(file, { force: true })
  }
  return undefined
}

/** Writes through a temp file and a rename, so no reader ever sees a half-written template. */
export function writeTemplate(cacheDir: string, key: string, image: Buffer): string {
  const file = path.join(cacheDir, `template-${key}-${checksum(image)}.sqlite`)
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    fs.writeFileSync(temp, image, { mode: 0o600, flag: 'wx' })
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    throw error
  }
  return file
}

/** Removes temp files that crashed processes left mid-write. */
export function sweepStaleWrites(cacheDir: string): void {
  for (const name of fs.readdirSync(cacheDir)) {
    const pid = staleWrite.exec(name)?.[1]
    if (pid !== undefined && !isAlive(Number(pid))) fs.rmSync(path.join(cacheDir, name), { force: true })
  }
}
