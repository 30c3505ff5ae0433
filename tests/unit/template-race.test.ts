import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

const run = promisify(execFile)

/** The scripts the processes run (named as URLs, so the linters see them used). */
const scripts = {
  loadTemplate: new URL('../support/build-template.ts', import.meta.url).pathname,
  prebuildTemplate: new URL('../support/prebuild-template.ts', import.meta.url).pathname,
}

/** Runs a script in `count` processes at once; resolves to their outputs. */
async function atOnce(count: number, file: string, args: string[]): Promise<string[]> {
  const outputs = await Promise.all(
    // tsx would otherwise leave its compile cache in the OS temp dir.
    Array.from({ length: count }, () => run(process.execPath, ['--import', 'tsx', file, ...args], { env: { ...process.env, TSX_DISABLE_CACHE: '1' } })),
  )
  return outputs.map((output) => output.stdout.trim())
}

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-race-'))
  fs.writeFileSync(path.join(root, 'schema.sql'), 'create table t (x);')
  return root
}

const templates = (root: string) => fs.readdirSync(path.join(root, 'cache')).filter((name) => name.endsWith('.sqlite'))

test('processes starting together build the template once and all read the same one', async () => {
  const root = project()
  const buildLog = path.join(root, 'builds.log')
  const results = await atOnce(4, scripts.loadTemplate, [root, buildLog])
  expect(new Set(results).size).toBe(1)
  expect(fs.readFileSync(buildLog, 'utf8').trim().split('\n')).toHaveLength(1)
  expect(templates(root)).toEqual([expect.stringMatching(/^template-\w{32}-[0-9a-f]{16}\.sqlite$/)])
  fs.rmSync(root, { recursive: true, force: true })
})

test('four main processes (test runs, build commands) started at once on a cold cache build one template of the key, not several', async () => {
  const root = project()
  // A slow seed that writes random bytes: two builds would make two files under one key.
  fs.writeFileSync(
    path.join(root, 'seed.mjs'),
    `import fs from 'node:fs'
export default (db) => {
  fs.appendFileSync(${JSON.stringify(path.join(root, 'builds.log'))}, process.pid + '\\n')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400)
  db.prepare('insert into t values (randomblob(16))').run()
}
`,
  )
  const results = await atOnce(4, scripts.prebuildTemplate, [root])
  expect(new Set(results).size).toBe(1)
  expect(fs.readFileSync(path.join(root, 'builds.log'), 'utf8').trim().split('\n')).toHaveLength(1)
  expect(templates(root)).toHaveLength(1)
  fs.rmSync(root, { recursive: true, force: true })
})
