import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { afterEach, expect, test, vi } from 'vitest'
import { DriverUnavailableError } from '../../src/core/base/errors.js'
import { loadSqlite3, type Sqlite3Module, startingOnSqlite3 } from '../../src/sqlite3/module.js'
import { repoRoot } from '../support/run-vitest.js'

// node-sqlite3 as an install leaves it when its build script did not run (pnpm before the build
// is allowed, --ignore-scripts): the real package's files without build/, loaded for real.

const made: string[] = []
afterEach(() => {
  vi.unstubAllEnvs()
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

/** A project with an unbuilt node-sqlite3 (or, not `installed`, none); returns a file of it, where its packages are looked for. */
function projectWithUnbuiltSqlite3(installed = true): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-sqlite3-driver-'))
  made.push(root)
  const modules = path.join(root, 'node_modules')
  fs.mkdirSync(modules)
  if (installed) for (const part of ['package.json', 'lib']) fs.cpSync(path.join(repoRoot, 'node_modules/sqlite3', part), path.join(modules, 'sqlite3', part), { recursive: true })
  for (const name of ['bindings', 'file-uri-to-path']) fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name))
  fs.writeFileSync(path.join(root, 'package.json'), '{ "name": "project", "private": true }')
  return path.join(root, 'index.js')
}

/** What loading node-sqlite3 in the project at `file` throws, through the plugin's loader. */
function loadError(file: string, specifier = 'sqlite3'): unknown {
  try {
    loadSqlite3(() => createRequire(file)(specifier) as Sqlite3Module, file)
  } catch (error) {
    return error
  }
  throw new Error('node-sqlite3 loaded')
}

test("an unbuilt or missing node-sqlite3 fails with the plugin's message, naming sqlite3 and the fix of the package manager in use", () => {
  // The package manager that runs the tests, as its user agent names it.
  vi.stubEnv('npm_config_user_agent', 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false')
  const npm = projectWithUnbuiltSqlite3()
  const unbuilt = loadError(npm) as DriverUnavailableError
  expect(unbuilt).toBeInstanceOf(DriverUnavailableError)
  expect(unbuilt.code).toBe('SQLITE_FIXTURES_DRIVER')
  expect(unbuilt.message).toMatch(/^sqlite-fixtures: sqlite3 \(node-sqlite3\) is installed but was never built: its native addon \(build\/Release\/node_sqlite3\.node\) is missing, so testSqlite3Database\(\)/)
  expect(unbuilt.message).toContain('\n\n  npm rebuild sqlite3 --ignore-scripts=false')
  expect((unbuilt.cause as Error).message).toMatch(/^Could not locate the bindings file/)

  vi.stubEnv('npm_config_user_agent', 'pnpm/11.29.0 npm/? node/v20.20.2 linux x64')
  expect((loadError(npm) as Error).message).toContain('"Ignored build scripts: sqlite3"). Allow it, and pnpm builds it:\n\n  pnpm approve-builds sqlite3\n\n')

  vi.stubEnv('npm_config_user_agent', 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false')
  const none = projectWithUnbuiltSqlite3(false)
  const missing = loadError(none) as DriverUnavailableError
  expect(missing).toBeInstanceOf(DriverUnavailableError)
  expect(missing.message).toMatch(/^sqlite-fixtures: sqlite3 \(node-sqlite3\) is not installed\. .*\n\n {2}npm install --save-dev sqlite3$/s)
  // Another package missing (better-sqlite3, whose name holds "sqlite3") is not node-sqlite3's to explain.
  const other = loadError(none, 'better-sqlite3') as Error & { code?: string }
  expect(other).not.toBeInstanceOf(DriverUnavailableError)
  expect(other.code).toBe('MODULE_NOT_FOUND')
})

/** Copies the real `name` into the project at `file`, its dependencies linked, so that it loads the project's node-sqlite3. */
function withOwnCopy(file: string, name: string): void {
  const modules = path.join(path.dirname(file), 'node_modules')
  fs.cpSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name), { recursive: true })
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(modules, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  for (const dependency of Object.keys(dependencies)) {
    const linked = path.join(modules, dependency)
    if (fs.existsSync(linked) || !fs.existsSync(path.join(repoRoot, 'node_modules', dependency))) continue
    fs.mkdirSync(path.dirname(linked), { recursive: true })
    fs.symlinkSync(path.join(repoRoot, 'node_modules', dependency), linked)
  }
}

test("Knex's sqlite3 client and Sequelize's sqlite dialect on an unbuilt node-sqlite3 fail with the plugin's message, not Knex's \"npm install sqlite3\" or the bare bindings error", () => {
  vi.stubEnv('npm_config_user_agent', 'pnpm/11.29.0 npm/? node/v20.20.2 linux x64')
  const file = projectWithUnbuiltSqlite3()
  withOwnCopy(file, 'knex')
  withOwnCopy(file, 'sequelize')
  const projectRequire = createRequire(file)
  const load = () => loadSqlite3(() => projectRequire('sqlite3') as Sqlite3Module, file)
  const knex = projectRequire('knex') as (config: object) => unknown
  // Knex logs the error it throws; the test only looks at what is thrown.
  const quiet = { error: () => {} }
  const { Sequelize } = projectRequire('sequelize') as { Sequelize: new (options: object) => unknown }
  // Without the plugin's translation, each says something else.
  expect(() => knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, log: quiet })).toThrow(/^Knex: run\n\$ npm install sqlite3/)
  expect(() => new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false })).toThrow(/^Could not locate the bindings file/)
  for (const start of [() => knex({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, log: quiet }), () => new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false })]) {
    const error = (() => {
      try {
        startingOnSqlite3(start, load)
      } catch (thrown) {
        return thrown as Error
      }
      throw new Error('started')
    })()
    expect(error).toBeInstanceOf(DriverUnavailableError)
    expect(error.message).toMatch(/^sqlite-fixtures: sqlite3 \(node-sqlite3\) is installed but was never built/)
    expect(error.message).toContain('pnpm approve-builds sqlite3')
  }
  // An error that is not node-sqlite3's goes through as it is.
  const own = new Error('no such option')
  expect(() => startingOnSqlite3(() => { throw own }, load)).toThrow(own)
})
