import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../core/driver/index.js'
import { probeTable } from './protocol.js'

/** Where Miniflare keeps a D1 database it does not persist: `<tmp>/miniflare-<hex>/d1/miniflare-D1DatabaseObject/<id hash>.sqlite`. */
const d1Folder = path.join('d1', 'miniflare-D1DatabaseObject')

function holdsToken(file: string, token: string): boolean {
  let db: ReturnType<typeof openDatabase> | undefined
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true })
    return db.prepare(`SELECT 1 FROM ${probeTable} WHERE token = ?`).get(token) !== undefined
  } catch {
    // Another worker's database, or one mid-write: not this one.
    return false
  } finally {
    db?.close()
  }
}

/**
 * The SQLite file of the D1 database the token was written into, under the OS temp dir where
 * each test file's Miniflare keeps its storage; undefined where it is not there (a project
 * that persists D1 elsewhere, or a runtime whose layout changed): then tests restore through
 * the binding. Newest folders first: this run's Miniflares made theirs moments ago.
 */
export function locateD1File(token: string, tmpDir = os.tmpdir()): string | undefined {
  const folders = fs
    .readdirSync(tmpDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('miniflare-'))
    .map((entry) => path.join(tmpDir, entry.name, d1Folder))
    .filter((folder) => fs.existsSync(folder))
    .map((folder) => ({ folder, changed: fs.statSync(folder).mtimeMs }))
    .sort((a, b) => b.changed - a.changed)
  for (const { folder } of folders) {
    for (const name of fs.readdirSync(folder)) {
      if (!name.endsWith('.sqlite') || name === 'metadata.sqlite') continue
      const file = path.join(folder, name)
      if (holdsToken(file, token)) return file
    }
  }
  return undefined
}
