import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)
const script = new URL('../support/build-template.ts', import.meta.url).pathname

test('processes starting together build the template once and all read the same one', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-race-'))
  fs.writeFileSync(path.join(root, 'schema.sql'), 'create table t (x);')
  const buildLog = path.join(root, 'builds.log')
  const outputs = await Promise.all(
    // tsx would otherwise leave its compile cache in the OS temp dir.
    Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', script, root, buildLog], { env: { ...process.env, TSX_DISABLE_CACHE: '1' } })),
  )
  const results = outputs.map((output) => output.stdout.trim())
  expect(new Set(results).size).toBe(1)
  expect(fs.readFileSync(buildLog, 'utf8').trim().split('\n')).toHaveLength(1)
  expect(fs.readdirSync(path.join(root, 'cache')).filter((name) => name.endsWith('.sqlite'))).toEqual([
    expect.stringMatching(/^template-\w{32}-[0-9a-f]{16}\.sqlite$/),
  ])
  fs.rmSync(root, { recursive: true, force: true })
})
