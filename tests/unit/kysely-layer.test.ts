import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as kyselyModule from 'kysely'
import { CamelCasePlugin, sql, type Kysely } from 'kysely'
import { afterEach, describe, expect, test } from 'vitest'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { SchemaError } from '../../src/core/base/errors.js'
import { useRunnerImport } from '../../src/core/base/module-import.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import { KyselyLayerError, KyselyMigrationError, kyselyLayer, migrator, type KyselyLayerOptions, type KyselyMigrationProvider } from '../../src/kysely/index.js'
import { vitestImport } from '../../src/vitest/module-import.js'

// As the Vitest adapter does: migration files load through Vitest's module runner.
useRunnerImport(vitestImport)

type Untyped = Kysely<Record<string, Record<string, unknown>>>

/** kysely 0.29 moved Migrator out of its root module, and loads .cjs and .cts migrations too. */
const kysely029 = !('Migrator' in kyselyModule)

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true })
})

/** A project dir with a migrations folder holding `files` (name -> source). */
function project(files: Record<string, string>): { root: string; folder: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-kysely-'))
  roots.push(root)
  const folder = path.join(root, 'migrations')
  fs.mkdirSync(folder)
  for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), source)
  return { root, folder }
}

/** A TypeScript migration that records its name in `log` (made by the first one). */
function logging(name: string, extra = ''): string {
  return (
    "import type { Kysely } from 'kysely'\n" +
    `export async function up(db: Kysely<{ log: { name: string } }>): Promise<void> {\n` +
    `  ${extra}\n` +
    `  await db.insertInto('log').values({ name: '${name}' }).execute()\n` +
    '}\n'
  )
}

const createLog =
  "import type { Kysely } from 'kysely'\n" +
  'export async function up(db: Kysely<unknown>): Promise<void> {\n' +
  "  await db.schema.createTable('log').addColumn('name', 'text', (c) => c.notNull()).execute()\n" +
  '}\n'

function runtimeFor(root: string, options: KyselyLayerOptions): FixtureRuntime {
  return new FixtureRuntime(resolveOptions({ rootDir: root, cacheDir: 'cache', layers: [kyselyLayer(options)] }))
}

/** Runs `fn` as one test with its own scope, then ends it. */
async function inTest<T>(runtime: FixtureRuntime, name: string, fn: (kysely: Untyped) => Promise<T>): Promise<T> {
  const scope = runtime.openScope(name)
  try {
    return await runInScope(scope, () => fn(scope.get('kysely') as unknown as Untyped))
  } finally {
    await scope.dispose()
  }
}

describe('the migration step', () => {
  test("runs a folder's TypeScript migrations in name order, once, on the template", async () => {
    const { root, folder } = project({
      '010_third.ts': logging('010_third'),
      '002_second.mts': logging('002_second'),
      '001_first.ts': createLog + "export const note: string = 'the first'\n",
      '001_first.d.ts': 'export declare const ignored: true\n',
      'README.md': 'not a migration',
    })
    const runtime = runtimeFor(root, { migrationFolder: folder })
    const template = await runtime.prepare()
    expect(template.built).toBe(true)
    await inTest(runtime, 'reads the template', async (kysely) => {
      expect(await kysely.selectFrom('log').select('name').execute()).toEqual([{ name: '002_second' }, { name: '010_third' }])
      const applied = await kysely.selectFrom('kysely_migration').select('name').orderBy('name').execute()
      expect(applied.map((row) => row.name)).toEqual(['001_first', '002_second', '010_third'])
    })
    runtime.close()
  })

  test('each test gets its own Kysely on its own clone, and the next test starts clean', async () => {
    const { root, folder } = project({ '001_log.ts': createLog })
    const runtime = runtimeFor(root, { migrationFolder: folder })
    await runtime.prepare()
    const seen: unknown[] = []
    for (const name of ['first', 'second']) {
      seen.push(
        await inTest(runtime, name, async (kysely) => {
          await kysely.insertInto('log').values({ name }).execute()
          return (await kysely.selectFrom('log').select('name').execute()).map((row) => row.name)
        }),
      )
    }
    expect(seen).toEqual([['first'], ['second']])
    runtime.close()
  })

  test('the cache key follows the migration files: names and contents', async () => {
    const { root, folder } = project({ '001_log.ts': createLog, '002_a.ts': logging('002_a') })
    const key = async () => {
      const runtime = runtimeFor(root, { migrationFolder: folder })
      const template = await runtime.prepare()
      runtime.close()
      return template
    }
    const first = await key()
    const again = await key()
    expect([first.built, again.built, again.key]).toEqual([true, false, first.key])

    fs.writeFileSync(path.join(folder, '002_a.ts'), logging('002_a', '// a comment changes the file'))
    const edited = await key()
    expect(edited.built).toBe(true)
    expect(edited.key).not.toBe(first.key)

    fs.renameSync(path.join(folder, '002_a.ts'), path.join(folder, '002_b.ts'))
    const renamed = await key()
    expect(renamed.key).not.toBe(edited.key)

    fs.writeFileSync(path.join(folder, '003_c.ts'), logging('003_c'))
    const added = await key()
    expect(added.key).not.toBe(renamed.key)

    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a migration')
    expect((await key()).key).toBe(added.key)
  })

  test('a failing migration is named, with its file, the migrations applied before it, and the reason', async () => {
    const { root, folder } = project({
      '001_log.ts': createLog,
      '002_broken.ts': "export async function up(db) { await db.schema.createIndex('i').on('no_such_table').column('x').execute() }\n",
      '003_never.ts': logging('003_never'),
    })
    const failure = runtimeFor(root, { migrationFolder: folder }).prepare()
    await expect(failure).rejects.toBeInstanceOf(SchemaError)
    await expect(failure).rejects.toThrow(
      `sqlite-fixtures: Kysely migration 002_broken (${path.join(folder, '002_broken.ts')}) failed while building the ` +
        'template (after 001_log applied): no such table: main.no_such_table. Fix the migration, or step through the ' +
        "migrations with migrator() from 'sqlite-fixtures/kysely'.",
    )
  })

  test('a migration file that cannot load is named', async () => {
    const { root, folder } = project({ '001_log.ts': createLog, '002_typo.ts': 'export async function up(db) { await db.schema.( }\n' })
    await expect(runtimeFor(root, { migrationFolder: folder }).prepare()).rejects.toThrow(
      new RegExp(`Kysely's Migrator \\(folder ${folder}\\) failed while building the template: .*Kysely migration file ${path.join(folder, '002_typo.ts')} failed to load`),
    )
  })

  test('a provider of your own: its migrations run, and their source is in the cache key', async () => {
    const { root } = project({})
    const provider = (column: string): KyselyMigrationProvider => ({
      getMigrations: async () => ({
        '001_notes': {
          up: async (db) => {
            await db.schema.createTable('notes').addColumn(column, 'text').execute()
          },
        },
      }),
    })
    const runtime = runtimeFor(root, { provider: provider('text') })
    const first = await runtime.prepare()
    await inTest(runtime, 'uses the provider', async (kysely) => {
      await kysely.insertInto('notes').values({ text: 'hello' }).execute()
      expect(await kysely.selectFrom('notes').selectAll().execute()).toEqual([{ text: 'hello' }])
    })
    runtime.close()
    // The column name is a variable the source text does not show: only a changed function changes the key.
    const other: KyselyMigrationProvider = { getMigrations: async () => ({ '001_notes': { up: async (db) => void (await db.schema.createTable('notes').addColumn('body', 'text').execute()) } }) }
    const second = await runtimeFor(root, { provider: other }).prepare()
    expect(second.key).not.toBe(first.key)
  })

  test('plugins of your app run with the migrations and with ctx.kysely', async () => {
    const { root, folder } = project({
      '001_people.ts': "export async function up(db) { await db.schema.createTable('people').addColumn('firstName', 'text').execute() }\n",
    })
    const runtime = runtimeFor(root, { migrationFolder: folder, plugins: [new CamelCasePlugin()] })
    await runtime.prepare()
    await inTest(runtime, 'camel case', async (kysely) => {
      await kysely.insertInto('people').values({ firstName: 'Ada' }).execute()
      expect(await kysely.selectFrom('people').selectAll().execute()).toEqual([{ firstName: 'Ada' }])
      const columns = await sql<{ name: string }>`select name from pragma_table_info('people')`.execute(kysely)
      expect(columns.rows).toEqual([{ name: 'first_name' }])
    })
    runtime.close()
  })

  test("a plugin's settings are in the cache key: they change the names the migrations make", async () => {
    const { root, folder } = project({ '001_log.ts': createLog })
    const key = async (plugin: CamelCasePlugin) => {
      const runtime = runtimeFor(root, { migrationFolder: folder, plugins: [plugin] })
      const { key } = await runtime.prepare()
      runtime.close()
      return key
    }
    const plain = await key(new CamelCasePlugin())
    expect(await key(new CamelCasePlugin())).toBe(plain)
    expect(await key(new CamelCasePlugin({ upperCase: true }))).not.toBe(plain)
  })

  test('a custom import loads the migration files', async () => {
    const { root, folder } = project({ '001_log.ts': createLog })
    const loaded: string[] = []
    const runtime = runtimeFor(root, {
      migrationFolder: new URL(`file://${folder}`),
      import: async (file) => {
        loaded.push(file)
        return vitestImport(file)
      },
    })
    await runtime.prepare()
    expect(loaded).toEqual([path.join(folder, '001_log.ts')])
    runtime.close()
  })

  test('destroying ctx.kysely in a test leaves the database to the plugin', async () => {
    const { root, folder } = project({ '001_log.ts': createLog })
    const runtime = runtimeFor(root, { migrationFolder: folder })
    await runtime.prepare()
    const scope = runtime.openScope('destroys')
    await runInScope(scope, async () => {
      await (scope.get('kysely') as unknown as Untyped).destroy()
      expect(scope.get('db').prepare('select count(*) from log').pluck().get()).toBe(0)
    })
    await scope.dispose()
    runtime.close()
  })
})

describe('options are checked when the layer is made', () => {
  test.each([
    [{}, 'kyselyLayer() needs one of migrationFolder (the folder of your Kysely migration files) or provider (any Kysely MigrationProvider), got neither.'],
    [{ migrationFolder: '/x', provider: { getMigrations: async () => ({}) } }, 'needs one of migrationFolder (the folder of your Kysely migration files) or provider (any Kysely MigrationProvider), not both.'],
    [{ migrationFolder: 'db/migrations' }, 'migrationFolder must be an absolute path or a file: URL, got "db/migrations"'],
    [{ migrationFolder: '/no/such/folder' }, 'migrationFolder "/no/such/folder" is not a folder.'],
    [{ migrationsFolder: '/x' }, 'kyselyLayer() has no option "migrationsFolder". Did you mean "migrationFolder"?'],
    [{ provider: {} }, "kyselyLayer()'s provider must be a Kysely MigrationProvider (an object with getMigrations())."],
  ])('%j', (options, message) => {
    expect(() => kyselyLayer(options as KyselyLayerOptions)).toThrow(KyselyLayerError)
    expect(() => kyselyLayer(options as KyselyLayerOptions)).toThrow(message)
  })

  test('two files with one migration name, or none at all', async () => {
    const twice = project({ '001_log.ts': createLog, '001_log.js': 'export async function up() {}' })
    await expect(runtimeFor(twice.root, { migrationFolder: twice.folder }).prepare()).rejects.toThrow(
      `001_log.js and 001_log.ts in ${twice.folder} are both migration "001_log". Keep one of them.`,
    )
    const empty = project({ 'notes.md': '' })
    await expect(runtimeFor(empty.root, { migrationFolder: empty.folder }).prepare()).rejects.toThrow(
      `migrationFolder "${empty.folder}" holds no migration file (.js, .ts, .mjs, .mts${kysely029 ? ', .cjs, .cts' : ''}).`,
    )
  })

  test('a .cjs file is a migration only where the installed Kysely loads it (0.29, not 0.28)', async () => {
    const cjsOnly = project({ '001_log.cjs': 'exports.up = async () => {}' })
    const prepared = runtimeFor(cjsOnly.root, { migrationFolder: cjsOnly.folder }).prepare()
    if (kysely029) await expect(prepared).resolves.toBeDefined()
    else await expect(prepared).rejects.toThrow('holds no migration file (.js, .ts, .mjs, .mts)')
  })
})

describe('migrator(): a data-migration helper on its own fresh database', () => {
  const files = {
    '001_log.ts': createLog,
    '002_names.ts':
      'export async function up(db) {\n' +
      "  await db.schema.alterTable('log').addColumn('upper', 'text').execute()\n" +
      "  await db.updateTable('log').set({ upper: db.fn('upper', ['name']) }).execute()\n" +
      '}\n' +
      "export async function down(db) { await db.schema.alterTable('log').dropColumn('upper').execute() }\n",
  }

  test('migrates to a named migration, takes data, migrates on, and reports where it is', async () => {
    const { folder } = project(files)
    const m = await migrator({ migrationFolder: folder })
    try {
      expect(await m.pending()).toEqual(['001_log', '002_names'])
      await m.migrateTo('001_log')
      m.db.prepare("insert into log (name) values ('ada')").run()
      expect([await m.executed(), await m.pending()]).toEqual([['001_log'], ['002_names']])
      await m.migrateToLatest()
      expect(await (m.kysely as unknown as Untyped).selectFrom('log').selectAll().execute()).toEqual([{ name: 'ada', upper: 'ADA' }])
      await m.migrateDown()
      expect(await m.executed()).toEqual(['001_log'])
    } finally {
      await m.close()
    }
  })

  test('an unknown name, and a failing migration, are errors that name the migration', async () => {
    const { folder } = project({ ...files, '003_broken.ts': "export async function up(db) { await db.schema.dropTable('no_such_table').execute() }\n" })
    const m = await migrator({ migrationFolder: folder })
    try {
      const unknown = await m.migrateTo('002_nmaes').catch((error: unknown) => error)
      expect(unknown).toBeInstanceOf(KyselyMigrationError)
      expect(unknown).toMatchObject({
        migration: '002_nmaes',
        message: 'sqlite-fixtures: no Kysely migration is named "002_nmaes". Migrations: 001_log, 002_names, 003_broken.',
      })
      const broken = await m.migrateToLatest().catch((error: unknown) => error)
      expect(broken).toMatchObject({
        code: 'SQLITE_FIXTURES_KYSELY_MIGRATION',
        migration: '003_broken',
        message: `sqlite-fixtures: Kysely migration 003_broken (${path.join(folder, '003_broken.ts')}) failed: no such table: no_such_table`,
      })
      expect(await m.executed()).toEqual(['001_log', '002_names'])
    } finally {
      await m.close()
    }
  })
})
