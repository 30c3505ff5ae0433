import fs from 'node:fs'
import { openDatabase, openScratch, snapshot } from '../core/driver/index.js'

/** Bytes 18 and 19 of a SQLite file's header: the file format's write and read versions, 2 in WAL mode. */
const formatVersions = 18

function inWalMode(file: string): boolean {
  const header = Buffer.alloc(formatVersions + 2)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, header, 0, header.length, 0)
  } finally {
    fs.closeSync(fd)
  }
  return header[formatVersions] === 2 && header[formatVersions + 1] === 2
}

/** The tables (and their indexes) the runtime adds to D1's file for itself, `_cf_METADATA` among them, as it wrote them. */
function runtimeObjects(d1File: string): string[] {
  const db = openDatabase(d1File, { readonly: true, fileMustExist: true })
  try {
    return db.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY type DESC, rowid").pluck().all() as string[]
  } finally {
    db.close()
  }
}

/**
 * The template as D1 would leave it once opened: in WAL mode, with the runtime's own tables
 * (empty), both read from the test file's D1 database (its token was written through the binding,
 * so the runtime has set it up). D1 then opens the swapped-in copy without first rewriting its
 * header and creating its tables, which took about as long as the swap itself. The app's tables
 * and rows are the template's, byte for byte through SQLite.
 */
export function d1ShapedImage(template: string, d1File: string): Buffer {
  const db = openScratch(fs.readFileSync(template))
  let image: Buffer
  try {
    for (const sql of runtimeObjects(d1File)) db.exec(sql)
    image = snapshot(db)
  } finally {
    db.close()
  }
  if (inWalMode(d1File)) image.fill(2, formatVersions, formatVersions + 2)
  return image
}
