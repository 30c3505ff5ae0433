import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { repoRoot } from '../support/run-vitest.js'

test('no built file spells out a mock call, which would make Vitest hoist mocks in it', () => {
  const dist = path.join(repoRoot, 'dist')
  const files = fs.readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) => /\.[cm]?js$/.test(name))
  expect(files.length).toBeGreaterThan(0)
  expect(files.filter((name) => /\b(vi|jest)\.mock\(/.test(fs.readFileSync(path.join(dist, name), 'utf8')))).toEqual([])
})
