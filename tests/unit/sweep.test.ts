import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeEach, expect, test } from 'vitest'
import { sweepLeftovers } from '../../src/core/lifecycle/sweep.js'

let base: string
/** The pid of a process that has exited. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-sweep-'))
  return () => fs.rmSync(base, { recursive: true, force: true })
})

function makeDir(name: string, files: string[]): string {
  const dir = path.join(base, name)
  fs.mkdirSync(dir, { mode: 0o700 })
  for (const file of files) fs.writeFileSync(path.join(dir, file), 'x')
  return dir
}

test('removes the temp dir of a crashed process, with its databases and journals', () => {
  makeDir(`sqlite-fixtures-${deadPid}-abcdefABCDEF`, ['1.sqlite', '2.sqlite', '2.sqlite-journal', '3.sqlite-wal', '3.sqlite-shm'])
  sweepLeftovers(base)
  expect(fs.readdirSync(base)).toEqual([])
})

test('leaves the temp dir of a live process alone', () => {
  makeDir(`sqlite-fixtures-${process.pid}-abcdefABCDEF`, ['1.sqlite'])
  sweepLeftovers(base)
  expect(fs.readdirSync(path.join(base, `sqlite-fixtures-${process.pid}-abcdefABCDEF`))).toEqual(['1.sqlite'])
})

test('never deletes a file it did not name, nor a dir named otherwise', () => {
  const dir = makeDir(`sqlite-fixtures-${deadPid}-abcdefABCDEF`, ['1.sqlite', 'notes.txt'])
  makeDir(`sqlite-fixtures-${deadPid}-short`, ['1.sqlite'])
  makeDir('my-project', ['1.sqlite'])
  sweepLeftovers(base)
  expect(fs.readdirSync(dir)).toEqual(['notes.txt'])
  expect(fs.readdirSync(path.join(base, `sqlite-fixtures-${deadPid}-short`))).toEqual(['1.sqlite'])
  expect(fs.readdirSync(path.join(base, 'my-project'))).toEqual(['1.sqlite'])
})

test('does not follow a symlink named like its dirs', () => {
  const target = makeDir('user-data', ['1.sqlite'])
  fs.symlinkSync(target, path.join(base, `sqlite-fixtures-${deadPid}-abcdefABCDEF`))
  sweepLeftovers(base)
  expect(fs.readdirSync(target)).toEqual(['1.sqlite'])
})

test("removes a crashed run's dir with its gone workers' dirs, and leaves a live worker's", () => {
  const run = `sqlite-fixtures-${deadPid}-abcdefABCDEF`
  makeDir(run, [])
  makeDir(`${run}/${deadPid}-abcdef`, ['1.sqlite', '1.sqlite-wal'])
  makeDir(`${run}/${deadPid}-ghijkl`, ['2.sqlite'])
  sweepLeftovers(base)
  expect(fs.readdirSync(base)).toEqual([])

  // A worker that outlived its run's main process (interrupted): its files are its own until it goes.
  makeDir(run, [])
  makeDir(`${run}/${deadPid}-abcdef`, ['1.sqlite'])
  makeDir(`${run}/${process.pid}-abcdef`, ['1.sqlite'])
  sweepLeftovers(base)
  expect(fs.readdirSync(path.join(base, run))).toEqual([`${process.pid}-abcdef`])
})

test("keeps a crashed run's worker dir that holds a file not its own, and the run's dir with it", () => {
  const run = `sqlite-fixtures-${deadPid}-abcdefABCDEF`
  makeDir(run, [])
  makeDir(`${run}/${deadPid}-abcdef`, ['1.sqlite', 'notes.txt'])
  makeDir(`${run}/${deadPid}-ghijkl`, ['2.sqlite'])
  sweepLeftovers(base)
  expect(fs.readdirSync(path.join(base, run))).toEqual([`${deadPid}-abcdef`])
  expect(fs.readdirSync(path.join(base, run, `${deadPid}-abcdef`))).toEqual(['notes.txt'])
})

test("sweeps an ended run's dir of this live process (runs one after the other through Vitest's API), never an open one", () => {
  const ended = makeDir(`sqlite-fixtures-${process.pid}-abcdefABCDEF`, [])
  makeDir(`sqlite-fixtures-${process.pid}-abcdefABCDEF/${process.pid}-abcdef`, ['1.sqlite'])
  const open = makeDir(`sqlite-fixtures-${process.pid}-ghijklGHIJKL`, ['1.sqlite'])
  sweepLeftovers(base, new Set([ended]))
  expect(fs.readdirSync(base)).toEqual([path.basename(open)])
})
