// The per-test rows: what one test pays to get its database and give it back, done the
// naive way, the rollback way, the bare way (the floors), and through the plugin's core.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { applyPragmas, defaultPragmas } from '../src/core/lifecycle/clone.js'
import { slow, verySlow, type Budget } from './measure.js'
import type { RowTask } from './row.js'
import { firstQuerySql, insertOneSql } from './schema.js'
import type { BenchTemplate } from './templates.js'

const migrate = 'migrate per test'
const memoryFloor = 'bare new Database(image) + pragma + query'
const fileFloor = 'bare copy file + open + query + unlink'
const noopFloor = 'empty async function (runner floor)'

/** A directory of numbered files, like the plugin's private temp dir, for the bare file rows. */
function fileNames(dir: string): () => string {
  fs.mkdirSync(dir, { recursive: true })
  let count = 0
  return () => path.join(dir, `${++count}.sqlite`)
}

/**
 * The rows for one template size. `large` trims them to those that show how cost grows
 * with size, with budgets for iterations that take tens of milliseconds.
 */
export function perTestRows(t: BenchTemplate, scratch: string, large: boolean): RowTask[] {
  const group = `per test, ${t.label} template`
  const { image, file: templateFile } = t.template
  const budget: Budget | undefined = large ? slow : undefined
  const nextFile = fileNames(path.join(scratch, 'floor', t.label.replace(/\W+/g, '-')))

  const rows: RowTask[] = [
    {
      group, name: migrate, kind: 'baseline', migrate,
      budget: large ? verySlow : slow,
      fn: () => {
        const db = new Database(':memory:')
        db.pragma('foreign_keys = ON')
        db.exec(t.sql.schema)
        db.exec(t.sql.seed)
        db.close()
      },
    },
    {
      group, name: 'Buffer.from(image) (raw copy)', kind: 'floor', migrate, budget,
      fn: () => Buffer.from(image),
    },
    {
      group, name: memoryFloor, kind: 'floor', migrate, budget,
      fn: () => {
        const db = new Database(image)
        db.pragma('foreign_keys = ON')
        db.prepare(firstQuerySql).get()
        db.close()
      },
    },
    {
      group, name: 'plugin, memory mode', kind: 'plugin', ref: memoryFloor, migrate, budget,
      fn: async () => {
        const scope = t.memory.openScope('bench')
        scope.get('db').prepare(firstQuerySql).get()
        await scope.dispose()
      },
    },
    {
      group, name: "plugin, isolation 'savepoint' (kept connection)", kind: 'plugin', ref: memoryFloor, migrate, budget,
      fn: async () => {
        const scope = t.savepoint.openScope('bench')
        scope.get('db').prepare(firstQuerySql).get()
        await scope.dispose()
      },
    },
    {
      group, name: fileFloor, kind: 'floor', migrate, budget,
      fn: () => {
        const file = nextFile()
        // EXCL, as the plugin copies: without it libuv truncates the new file first, and
        // ext4 then flushes the copy to disk on close (auto_da_alloc), 2-3x slower at 50 MB.
        fs.copyFileSync(templateFile, file, fs.constants.COPYFILE_EXCL)
        const db = new Database(file)
        db.prepare(firstQuerySql).get()
        db.close()
        fs.unlinkSync(file)
      },
    },
    {
      group, name: 'plugin, file mode', kind: 'plugin', ref: fileFloor, migrate, budget,
      fn: async () => {
        const scope = t.file.openScope('bench')
        scope.get('db').prepare(firstQuerySql).get()
        await scope.dispose()
      },
    },
  ]
  if (large) return rows

  // One connection for the whole run, each test inside a transaction it never commits.
  const shared = new Database(image)
  shared.pragma('foreign_keys = ON')
  const insert = shared.prepare(insertOneSql())
  return [
    rows[0] as RowTask,
    {
      group, name: 'rollback per test (shared connection)', kind: 'baseline', ref: memoryFloor, migrate,
      fn: () => {
        shared.exec('BEGIN')
        insert.run()
        shared.exec('ROLLBACK')
      },
    },
    {
      group, name: 'open empty :memory: + close', kind: 'floor', migrate,
      fn: () => new Database(':memory:').close(),
    },
    ...rows.slice(1),
    {
      group, name: noopFloor, kind: 'floor',
      fn: async () => {},
    },
    {
      group, name: 'plugin, test that never touches db', kind: 'plugin', ref: noopFloor,
      fn: async () => {
        const scope = t.memory.openScope('bench')
        await scope.dispose()
      },
    },
  ]
}

const sqliteDefaults = 'journal_mode = DELETE, synchronous = FULL (SQLite defaults)'

/**
 * File-mode write speed: 100 single-row transactions (autocommit inserts, as app code
 * makes them) with the plugin's file-mode pragmas against SQLite's own defaults.
 */
export function writeRows(t: BenchTemplate, scratch: string): RowTask[] {
  const group = 'write speed, 100 inserts per test, file mode'
  const nextFile = fileNames(path.join(scratch, 'writes'))
  const open = (pragmas: Parameters<typeof applyPragmas>[1]) => {
    const file = nextFile()
    fs.copyFileSync(t.template.file, file)
    const db = new Database(file)
    applyPragmas(db, pragmas)
    const insert = db.prepare(insertOneSql())
    return () => {
      for (let i = 0; i < 100; i++) insert.run()
    }
  }
  const pluginDefaults = Object.entries(defaultPragmas('file'))
    .map(([name, value]) => `${name} = ${String(value)}`)
    .join(', ')
  const memory = new Database(t.template.image)
  applyPragmas(memory, defaultPragmas('memory'))
  const memoryInsert = memory.prepare(insertOneSql())
  return [
    {
      group, name: `plugin defaults: ${pluginDefaults}`, kind: 'plugin',
      budget: slow,
      fn: open(defaultPragmas('file')),
    },
    {
      group, name: sqliteDefaults, kind: 'baseline', ref: `plugin defaults: ${pluginDefaults}`,
      budget: verySlow,
      fn: open({ foreign_keys: true, journal_mode: 'DELETE', synchronous: 'FULL' }),
    },
    {
      group, name: 'memory mode, for comparison', kind: 'baseline', ref: `plugin defaults: ${pluginDefaults}`,
      budget: slow,
      fn: () => {
        for (let i = 0; i < 100; i++) memoryInsert.run()
      },
    },
  ]
}
