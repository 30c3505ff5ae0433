import fs from 'node:fs'
import path from 'node:path'
import { isAlive, verbose } from '../base/index.js'

/** `tmp` names our dirs sqlite-fixtures-<pid>-<12 random chars>; nothing else matches. */
const ownDir = /^sqlite-fixtures-(\d+)-[A-Za-z0-9]{12}$/
/** The only files we put in them: numbered databases and their journals. */
const ownFile = /^\d+\.sqlite(-journal|-wal|-shm)?$/

/**
 * Removes what crashed processes left in the temp dir: only dirs named as ours, owned by
 * this user, whose process is gone, and inside them only files named as ours (never
 * following a symlink). Anything else found there keeps the dir in place.
 */
export function sweepLeftovers(base: string = process.getBuiltinModule('node:os').tmpdir()): void {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(base, { withFileTypes: true })
  } catch {
    return
  }
  const uid = process.getuid?.()
  for (const entry of entries) {
    const match = ownDir.exec(entry.name)
    if (!match || !entry.isDirectory() || isAlive(Number(match[1]))) continue
    const dir = path.join(base, entry.name)
    try {
      const stat = fs.lstatSync(dir)
      if (uid !== undefined && stat.uid !== uid) continue
      for (const file of fs.readdirSync(dir, { withFileTypes: true })) {
        if (file.isFile() && ownFile.test(file.name)) fs.rmSync(path.join(dir, file.name))
      }
      fs.rmdirSync(dir)
      verbose(`swept leftovers of crashed process ${match[1]}: ${dir}`)
    } catch {
      // Not empty (a kept database, or a file that is not ours) or already gone: leave it.
    }
  }
}
