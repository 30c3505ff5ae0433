import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { expect, onTestFinished, test } from 'vitest'
import { forgetNodeRequired, moduleGraphOver, nodeRequiredModules } from '../../src/core/base/module-graph.js'

// Vite's module runner gives a CommonJS file it evaluates a `require` from createRequire(file):
// the file is then in no registry, and what it required is in Node's `require.cache` only.
test("a helper required through createRequire(file) is an input of that file, by Node's require.cache; forgetting it reloads it", () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-graph-')))
  const migrations = path.join(dir, 'migrations')
  const migration = path.join(migrations, '001.cjs')
  const helper = path.join(dir, 'lib/columns.cjs')
  fs.mkdirSync(path.dirname(helper))
  fs.writeFileSync(helper, "module.exports = { column: 'nickname' }\n")
  onTestFinished(() => {
    forgetNodeRequired([helper])
    fs.rmSync(dir, { recursive: true, force: true })
  })

  expect(createRequire(migration)('../lib/columns.cjs')).toEqual({ column: 'nickname' })
  const graph = moduleGraphOver(nodeRequiredModules)
  expect(graph.inputsOf([migrations]).files).toEqual([helper, migration])

  fs.writeFileSync(helper, "module.exports = { column: 'handle' }\n")
  forgetNodeRequired(graph.inputsOf([migrations]).files)
  expect(createRequire(migration)('../lib/columns.cjs')).toEqual({ column: 'handle' })
})
