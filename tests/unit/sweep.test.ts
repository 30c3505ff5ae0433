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
