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

test("every source map carries its sources' text, so a stack frame into the package's src/ opens without src/ shipped", () => {
  const dist = path.join(repoRoot, 'dist')
  const maps = fs.readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.map'))
  expect(maps.length).toBeGreaterThan(0)
  const missing = maps.flatMap((name) => {
    const map = JSON.parse(fs.readFileSync(path.join(dist, name), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] }
    return map.sources.filter((source, i) => typeof map.sourcesContent?.[i] !== 'string').map((source) => `${name}: ${source}`)
  })
  expect(missing).toEqual([])
})
