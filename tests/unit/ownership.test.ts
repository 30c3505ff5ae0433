import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { resolveOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'

let project: string
/** The pid of a process that has exited. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-owner-'))
  fs.writeFileSync(path.join(project, 'schema.sql'), 'create table t (x);')
  // Files a user owns, named the way the plugin names its own.
  fs.writeFileSync(path.join(project, '1.sqlite'), 'mine')
  fs.writeFileSync(path.join(project, '1.sqlite-journal'), 'mine too')
  // A dir named like a crashed process's temp dir, holding a file the plugin never names.
  fs.mkdirSync(path.join(project, `sqlite-fixtures-${deadPid}-abcdefABCDEF`))
  fs.writeFileSync(path.join(project, `sqlite-fixtures-${deadPid}-abcdefABCDEF`, 'notes.txt'), 'mine as well')
})

afterEach(() => fs.rmSync(project, { recursive: true, force: true }))

/** Runs a few file-mode tests with the given tempDir, as a runner would, then closes. */
async function useTempDir(tempDir: string): Promise<void> {
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: project, schema: 'schema.sql', cacheDir: 'cache', mode: 'file', tempDir }))
  await runtime.prepare()
  for (let i = 0; i < 3; i++) {
    const scope = runtime.openScope(`test ${i}`)
    scope.get('db').prepare('insert into t values (1)').run()
    await scope.dispose()
  }
  runtime.close()
}

const snapshot = () =>
  fs
    .readdirSync(project, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.startsWith('cache') && !name.startsWith('link/'))
    .sort()
    .map((name) => {
      const stat = fs.lstatSync(path.join(project, name))
      return [name, stat.isFile() ? fs.readFileSync(path.join(project, name), 'utf8') : stat.isSymbolicLink() ? 'link' : 'dir']
    })

test.each([
  ['the project root', '.'],
  ['a path with ..', 'sub/../.'],
  ['a symlink to the project root', 'link'],
])('with tempDir set to %s, the plugin deletes nothing it did not make', async (_name, tempDir) => {
  fs.symlinkSync(project, path.join(project, 'link'))
  const before = snapshot()
  await useTempDir(tempDir)
  expect(snapshot()).toEqual(before)
})

test('a tempDir that cannot be made is a configuration error naming it', async () => {
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: project, schema: 'schema.sql', cacheDir: 'cache', mode: 'file', tempDir: '1.sqlite/tmp' }))
  await runtime.prepare()
  expect(() => runtime.openScope('t').get('db')).toThrow(/cannot make a private temp dir for file-mode databases in .*1\.sqlite\/tmp \(ENOTDIR\)\. Set the option tempDir/)
})
