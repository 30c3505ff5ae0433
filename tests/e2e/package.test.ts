import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { brokenLinks } from '../../docs/package-links.js'
import { repoRoot } from '../support/run-vitest.js'

// What a user installs: the packed tarball, as the registry serves it. One pack for the file:
// its file list, the links of its pages, and the driver seam's errors from an installed copy.

const run = promisify(execFile)
const npm = path.join(path.dirname(fs.realpathSync(process.execPath)), '../lib/node_modules/npm/bin/npm-cli.js')

let unpacked: string
let files: string[]

let scratch: string

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-package-'))
  const { stdout } = await run(process.execPath, [npm, 'pack', '--json', '--pack-destination', scratch], { cwd: repoRoot })
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]
  files = packed!.files.map((file) => file.path).sort()
  await run('tar', ['xzf', path.join(scratch, packed!.filename), '-C', scratch])
  unpacked = path.join(scratch, 'package')
})

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

test('the package carries the built code, the README, every guide, the changelog and the license, and nothing else', () => {
  const guides = fs.readdirSync(path.join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)
  expect(files.filter((file) => !file.startsWith('dist/'))).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', ...guides, 'package.json'].sort())
  expect(guides).toContain('docs/install.md')
  // The README's table of guides names each of them.
  const readme = fs.readFileSync(path.join(unpacked, 'README.md'), 'utf8')
  for (const guide of guides.filter((guide) => guide !== 'docs/index.md')) expect(readme, guide).toContain(`](${guide})`)
})

test("every link of the packed pages leads to a file the package carries, and to a heading it has; no page names the repository's other files", () => {
  expect(brokenLinks(unpacked)).toEqual([])
})

test('the link check fails on a planted dead link, a missing heading and a pointer to a sample the package leaves out', () => {
  const copy = path.join(path.dirname(unpacked), 'planted')
  fs.cpSync(unpacked, copy, { recursive: true })
  fs.appendFileSync(
    path.join(copy, 'docs/setup.md'),
    '\nSee [the sample](./samples.md), [the cache](./ci.md#no-such-heading), and `fixtures/demo`.\n\n```ts\n// [in code](./not-a-link.md)\n```\n',
  )
  const line = fs.readFileSync(path.join(copy, 'docs/setup.md'), 'utf8').split('\n').findIndex((text) => text.startsWith('See [the sample]')) + 1
  expect(brokenLinks(copy)).toEqual([
    `docs/setup.md:${line}: ./samples.md: no such file in the package`,
    `docs/setup.md:${line}: ./ci.md#no-such-heading: docs/ci.md has no heading "#no-such-heading"`,
    `docs/setup.md:${line}: \`fixtures/demo\`: a file of the source repository, not in the package`,
  ])
})

/**
 * A project with the packed package installed beside better-sqlite3 as pnpm leaves it
 * before its build is allowed: the package's files, without `build/`. Its main process (Jest's
 * global setup, a plain function) builds the template, under each package manager's name.
 */
function projectWithUnbuiltDriver(): string {
  const project = path.join(path.dirname(unpacked), 'project')
  const modules = path.join(project, 'node_modules')
  fs.mkdirSync(modules, { recursive: true })
  fs.cpSync(unpacked, path.join(modules, 'sqlite-fixtures'), { recursive: true })
  const driver = path.join(repoRoot, 'node_modules/better-sqlite3')
  for (const part of ['package.json', 'lib']) fs.cpSync(path.join(driver, part), path.join(modules, 'better-sqlite3', part), { recursive: true })
  for (const name of ['bindings', 'file-uri-to-path', 'tmp', 'fastest-levenshtein']) fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name))
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "project", "private": true, "type": "module" }')
  fs.writeFileSync(
    path.join(project, 'build.mjs'),
    [
      "import fs from 'node:fs'",
      "const { globalSetup } = await import('sqlite-fixtures/jest/global-setup')",
      'const errors = {}',
      'for (const [name, agent, lockfile] of JSON.parse(process.argv[2])) {',
      '  if (agent) process.env.npm_config_user_agent = agent',
      '  else delete process.env.npm_config_user_agent',
      "  if (lockfile) fs.writeFileSync(lockfile, '')",
      // A template that cannot be built fails the run at its start, with this error.
      '  try {',
      '    await globalSetup({ rootDir: process.cwd() })()',
      "    errors[name] = { code: 'built', message: 'the template was built' }",
      '  } catch (error) {',
      '    errors[name] = { code: error.code, message: error.message }',
      '  }',
      '  if (lockfile) fs.rmSync(lockfile)',
      '}',
      'console.log(JSON.stringify(errors))',
    ].join('\n'),
  )
  return project
}

async function buildErrors(project: string, cases: [string, string | undefined, string?][]): Promise<Record<string, { code: string; message: string }>> {
  const env = { ...process.env, TMPDIR: path.join(project, 'tmp') }
  fs.mkdirSync(env.TMPDIR, { recursive: true })
  const { stdout } = await run(process.execPath, ['build.mjs', JSON.stringify(cases)], { cwd: project, env })
  return JSON.parse(stdout) as Record<string, { code: string; message: string }>
}

test("an unbuilt or missing better-sqlite3 fails with the plugin's message, naming the fix of the package manager in use", async () => {
  const project = projectWithUnbuiltDriver()
  const unbuilt = await buildErrors(project, [
    ['pnpm 11', 'pnpm/11.29.0 npm/? node/v20.20.2 linux x64'],
    ['pnpm 10', 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64'],
    ['yarn', 'yarn/4.18.1 npm/? node/v20.20.2 linux x64'],
    ['bun', 'bun/1.4.5 npm/? node/v20.20.2 linux x64'],
    ['npm', 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false'],
    ["pnpm's lockfile, no command", undefined, 'pnpm-lock.yaml'],
  ])
  for (const error of Object.values(unbuilt)) {
    expect(error.code).toBe('SQLITE_FIXTURES_DRIVER')
    expect(error.message).toMatch(/^sqlite-fixtures: better-sqlite3 is installed but was never built: its native addon \(build\/Release\/better_sqlite3\.node\) is missing/)
  }
  expect(unbuilt['pnpm 11']!.message).toContain('\n\n  pnpm approve-builds better-sqlite3\n\n')
  expect(unbuilt['pnpm 10']!.message).toContain('\n\n  pnpm approve-builds\n\nand choose better-sqlite3.')
  expect(unbuilt.yarn!.message).toContain('\n\n  "dependenciesMeta": { "better-sqlite3": { "built": true } }\n\nand run `yarn install`')
  expect(unbuilt.bun!.message).toContain('\n\n  bun install --force\n\n')
  expect(unbuilt.npm!.message).toContain('\n\n  npm rebuild better-sqlite3 --ignore-scripts=false')
  expect(unbuilt["pnpm's lockfile, no command"]!.message).toBe(unbuilt['pnpm 11']!.message)
  // The install guide shows pnpm 11's message as it is.
  const guide = fs.readFileSync(path.join(repoRoot, 'docs/install.md'), 'utf8')
  expect(guide).toContain(`\`\`\`\n${unbuilt['pnpm 11']!.message}\n\`\`\``)

  fs.rmSync(path.join(project, 'node_modules/better-sqlite3'), { recursive: true })
  const missing = await buildErrors(project, [
    ['npm', 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false'],
    ['pnpm', 'pnpm/11.29.0 npm/? node/v20.20.2 linux x64'],
  ])
  expect(missing.npm).toMatchObject({ code: 'SQLITE_FIXTURES_DRIVER', message: expect.stringMatching(/^sqlite-fixtures: better-sqlite3 is not installed\. .*\n\n {2}npm install --save-dev better-sqlite3\n {2}The template could not be built: no test runs until it is fixed\.$/s) })
  expect(missing.pnpm!.message).toMatch(/\n\n {2}pnpm add --save-dev better-sqlite3\n/)
  expect(fs.readdirSync(path.join(project, 'tmp'))).toEqual([])
})
