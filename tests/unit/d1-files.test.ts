import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { expect, onTestFinished, test, vi } from 'vitest'
import { replaceDatabaseFile } from '../../src/core/driver/index.js'
import { maxStatementBytes, templateStatements } from '../../src/d1/dump.js'
import { SwappedFiles } from '../../src/d1/left-as.js'
import { d1ShapedImage } from '../../src/d1/shape.js'
import { makeScratch } from '../support/run-vitest.js'

// The main-process side of sqlite-fixtures/d1, on real SQLite files: the one batch's dump, the
// template shaped as D1 leaves a database, and the check that a file is as the last swap left it.

function template(dir: string, rows: number): string {
  const file = path.join(dir, 'template.sqlite')
  const db = new Database(file)
  db.exec(`CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, photo BLOB, score REAL);
    CREATE TABLE "odd ""name""" (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors (id));
    CREATE INDEX authors_by_name ON authors (name);`)
  const insert = db.prepare('INSERT INTO authors (name, photo, score) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`author ${i} ${"it's".repeat(i % 3)} ${'x'.repeat(40)}`, i % 5 === 0 ? Buffer.from([i % 256, 0, 39]) : null, i % 2 === 0 ? i / 4 : null)
  })()
  db.exec(`INSERT INTO "odd ""name""" (author_id) VALUES (1), (2); DELETE FROM authors WHERE id = ${rows}`)
  db.close()
  return file
}

const everything = (db: Database.Database) => ({
  authors: db.prepare('SELECT * FROM authors ORDER BY id').all(),
  odd: db.prepare('SELECT * FROM "odd ""name""" ORDER BY id').all(),
  sequence: db.prepare('SELECT * FROM sqlite_sequence').all(),
})

test("the one batch's dump restores every row, blobs and quotes included, in multi-row INSERTs under D1's statement limit", () => {
  const dir = makeScratch()
  const file = template(dir, 5000)
  const statements = templateStatements(file)
  const inserts = statements.filter((sql) => sql.startsWith('INSERT INTO "authors"'))
  expect(inserts.length).toBeGreaterThan(1)
  expect(inserts.length).toBeLessThan(20)
  for (const sql of statements) expect(Buffer.byteLength(sql)).toBeLessThanOrEqual(maxStatementBytes)
  const restored = new Database(':memory:')
  for (const sql of statements) restored.exec(sql)
  const original = new Database(file, { readonly: true })
  expect(everything(restored)).toEqual(everything(original))
  original.close()
  restored.close()
})

test('the shaped template is the template in WAL mode with the runtime tables D1 made, empty; SQLite opens it as it is', () => {
  const dir = makeScratch()
  const file = template(dir, 10)
  const d1File = path.join(dir, 'd1.sqlite')
  const d1 = new Database(d1File)
  d1.pragma('journal_mode = WAL')
  d1.exec('CREATE TABLE _cf_METADATA (\n        key INTEGER PRIMARY KEY,\n        value BLOB\n      ); INSERT INTO _cf_METADATA VALUES (2, 7); CREATE TABLE app (x)')
  d1.close()
  const shaped = path.join(dir, 'shaped.sqlite')
  fs.writeFileSync(shaped, d1ShapedImage(file, d1File))
  const db = new Database(shaped)
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
  expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '\\_cf\\_%' ESCAPE '\\'").pluck().all()).toEqual(['_cf_METADATA'])
  expect(db.prepare('SELECT count(*) FROM _cf_METADATA').pluck().get()).toBe(0)
  expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'app'").pluck().get()).toBe(0)
  const original = new Database(file, { readonly: true })
  expect(everything(db)).toEqual(everything(original))
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  original.close()
  db.close()
})

test('a swapped file counts as unchanged until a connection opens it in WAL mode (D1 keeps its object open until the next swap closes it)', () => {
  const dir = makeScratch()
  const file = path.join(dir, 'd1.sqlite')
  fs.writeFileSync(file, d1ShapedImage(template(dir, 3), walFile(dir)))
  const swapped = new SwappedFiles()
  swapped.given(file, '')
  expect(swapped.holds(file, '')).toBe(true)
  expect(swapped.holds(file, 'block 1')).toBe(false)
  const db = new Database(file)
  db.prepare('SELECT count(*) FROM authors').get()
  expect(swapped.holds(file, '')).toBe(false)
  db.close()
  swapped.given(file, 'block 1')
  expect(swapped.holds(file, 'block 1')).toBe(true)
})

/** A database in WAL mode, as D1 keeps its files. */
function walFile(dir: string): string {
  const file = path.join(dir, 'wal.sqlite')
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.close()
  return file
}

test('a swap leaves the file holding exactly the copy, over a longer, a shorter, an edited or no old file, with its journals gone', () => {
  const dir = makeScratch()
  const file = path.join(dir, 'd1.sqlite')
  // Past one compared chunk (64 kB), ending inside another.
  const image = bytes(200_000, 1)
  const holdsImage = () => expect(fs.readFileSync(file).equals(image)).toBe(true)

  replaceDatabaseFile(image, file)
  holdsImage()
  const { ino } = fs.statSync(file)

  fs.writeFileSync(file, bytes(300_000, 2))
  for (const suffix of ['-wal', '-shm', '-journal']) fs.writeFileSync(file + suffix, 'left by the last connection')
  replaceDatabaseFile(image, file)
  holdsImage()
  for (const suffix of ['-wal', '-shm', '-journal']) expect(fs.existsSync(file + suffix)).toBe(false)
  expect(fs.statSync(file).ino).toBe(ino)

  // One byte changed in the middle of the second chunk, and one in the last, partial chunk.
  editByte(file, image, 100_000)
  editByte(file, image, 199_999)
  replaceDatabaseFile(image, file)
  holdsImage()

  fs.writeFileSync(file, image.subarray(0, 70_000))
  replaceDatabaseFile(image, file)
  holdsImage()

  // A describe block's copy, a file of several chunks.
  const copy = path.join(dir, 'block.sqlite')
  fs.writeFileSync(copy, bytes(150_000, 3))
  replaceDatabaseFile(copy, file)
  expect(fs.readFileSync(file).equals(fs.readFileSync(copy))).toBe(true)
})

test('a swap writes only the chunks that differ, over the old bytes, not the whole file', () => {
  const dir = makeScratch()
  const file = path.join(dir, 'd1.sqlite')
  const image = bytes(200_000, 1)
  fs.writeFileSync(file, image)
  const writes = vi.spyOn(fs, 'writeSync')
  const truncates = vi.spyOn(fs, 'ftruncateSync')
  onTestFinished(() => {
    vi.restoreAllMocks()
  })
  // What writeSync returned: the bytes it wrote.
  const written = () => writes.mock.results.reduce((total, result) => total + (result.type === 'return' ? result.value : 0), 0)

  replaceDatabaseFile(image, file)
  expect(written()).toBe(0)

  editByte(file, image, 100_000)
  writes.mockClear()
  replaceDatabaseFile(image, file)
  expect(written()).toBe(64 * 1024)
  expect(fs.readFileSync(file).equals(image)).toBe(true)
  // Shortened to the copy's length, never to zero first.
  expect(truncates.mock.calls.map((call) => call[1])).toEqual([200_000, 200_000])

  const copy = path.join(dir, 'block.sqlite')
  fs.writeFileSync(copy, image)
  editByte(file, image, 199_999)
  writes.mockClear()
  replaceDatabaseFile(copy, file)
  expect(written()).toBe(200_000 - 3 * 64 * 1024)
})

/** Bytes of a repeating pattern that differs with `seed`. */
function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 251))
}

/** Flips the byte at `position` of `file`, which holds `image`. */
function editByte(file: string, image: Buffer, position: number): void {
  const fd = fs.openSync(file, 'r+')
  fs.writeSync(fd, Buffer.from([(image[position] as number) ^ 0xff]), 0, 1, position)
  fs.closeSync(fd)
}
