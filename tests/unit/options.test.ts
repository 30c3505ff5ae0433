import path from 'node:path'
import vm from 'node:vm'
import { describe, expect, test } from 'vitest'
import { SqliteFixturesConfigError } from '../../src/core/base/errors.js'
import { resolveOptions, type SqliteFixturesOptions } from '../../src/core/base/options.js'

const bad = (options: unknown) => () => resolveOptions(options as SqliteFixturesOptions)

describe('resolveOptions', () => {
  test('fills in defaults: memory mode, auto on, DATABASE_URL, cache under node_modules', () => {
    const options = resolveOptions({ rootDir: '/project' })
    expect(options).toMatchObject({ mode: 'memory', auto: true, env: 'DATABASE_URL', schema: [], seed: [], layers: [] })
    expect(options.cacheDir).toBe(process.env.SQLITE_FIXTURES_CACHE_DIR ?? '/project/node_modules/.cache/sqlite-fixtures')
  })

  test('resolves schema and seed paths from rootDir', () => {
    const options = resolveOptions({ rootDir: '/project', schema: ['db/a.sql', '/abs/b.sql'], seed: 'seed.sql' })
    expect(options.schema).toEqual(['/project/db/a.sql', '/abs/b.sql'])
    expect(options.seed).toEqual([path.resolve('/project/seed.sql')])
  })

  test('keeps a seed function as it is', () => {
    const seed = () => {}
    expect(resolveOptions({ seed }).seed).toBe(seed)
  })

  test('a misspelled option is named, with the likely intended one', () => {
    expect(bad({ schemas: 'db' })).toThrow(SqliteFixturesConfigError)
    expect(bad({ schemas: 'db' })).toThrow('unknown option "schemas". Did you mean "schema"?')
  })

  test('the template is built by better-sqlite3 unless driver says libsql; steps are module paths from rootDir', () => {
    expect(resolveOptions({}).driver).toBe('better-sqlite3')
    expect(resolveOptions({ rootDir: '/project', driver: 'libsql', steps: 'tests/migrate.ts' })).toMatchObject({ driver: 'libsql', steps: ['/project/tests/migrate.ts'] })
    expect(bad({ driver: 'turso' })).toThrow('option "driver" must be "better-sqlite3" or "libsql", got "turso".')
  })

  test('a wrong mode names the option and the bad value', () => {
    expect(bad({ mode: 'disk' })).toThrow('option "mode" must be "memory" or "file", got "disk"')
  })

  test('a wrong type names the option and the type it got', () => {
    expect(bad({ auto: 'yes' })).toThrow('option "auto" must be true or false, got "yes"')
    expect(bad({ schema: [1] })).toThrow('option "schema" must be a path or an array of paths, got an array')
    expect(bad({ env: 'NOT VALID' })).toThrow('option "env" must be an environment variable name or false')
  })

  test('pragma values must be plain words, so nothing can be smuggled into the PRAGMA statement', () => {
    expect(bad({ pragmas: { cache_size: '1; drop table users' } })).toThrow(
      'option "pragmas.cache_size" must be a number, a boolean or a single word',
    )
    expect(resolveOptions({ pragmas: { cache_size: -2000, recursive_triggers: true } }).pragmas).toEqual({
      cache_size: -2000,
      recursive_triggers: true,
    })
  })

  test('a layer without a setup is rejected with its index', () => {
    expect(bad({ layers: [{ name: 'x' }] })).toThrow('option "layers[0]" must be a layer')
  })
})

test("migration settings made in another realm are plain data too (Vitest's vm pools load the config in one, the setup file in another)", () => {
  const settings = vm.runInNewContext("({ kind: 'migrations', client: 'better-sqlite3', loadExtensions: ['.js'], nested: { ok: true } })") as Record<string, unknown>
  expect(Object.getPrototypeOf(settings)).not.toBe(Object.prototype)
  const options = resolveOptions({ rootDir: '/project', migrations: [{ orm: 'knex', folder: 'migrations', settings }] } as SqliteFixturesOptions)
  expect(options.migrations[0]?.settings).toBe(settings)
  // A class instance is still refused.
  expect(bad({ rootDir: '/project', migrations: [{ orm: 'knex', folder: 'migrations', settings: { when: new Date() } }] })).toThrow(/migrations\[0\]\.settings/)
})
