import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DataSource, EntitySchema, type MigrationInterface, type QueryRunner } from 'typeorm'
import { afterEach, expect, test } from 'vitest'
import { runInScope } from '../../src/core/lifecycle/owner.js'
import { SchemaError } from '../../src/core/base/errors.js'
import { resolveOptions } from '../../src/core/base/options.js'
import { FixtureRuntime } from '../../src/core/lifecycle/runtime.js'
import { typeormLayer } from '../../src/typeorm/index.js'

const Note = new EntitySchema<{ id: number; text: string }>({
  name: 'Note',
  tableName: 'notes',
  columns: { id: { type: 'integer', primary: true, generated: true }, text: { type: 'varchar' } },
})

class CreateNotes1700000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "notes" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "text" varchar NOT NULL)')
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "notes"')
  }
}

class BrokenIndex1700000000002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX "idx" ON "no_such_table" ("x")')
  }
  async down(): Promise<void> {}
}

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true })
})

function runtimeFor(dataSource: DataSource): FixtureRuntime {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-typeorm-'))
  roots.push(root)
  return new FixtureRuntime(resolveOptions({ rootDir: root, cacheDir: 'cache', layers: [typeormLayer({ dataSource })] }))
}

test('the template is built from the migrations, and each test gets the DataSource on its own clone', async () => {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Note], migrations: [CreateNotes1700000000001] })
  const runtime = runtimeFor(dataSource)
  await runtime.prepare()
  for (const text of ['first', 'second']) {
    const scope = runtime.openScope(text)
    await runInScope(scope, async () => {
      await dataSource.getRepository(Note).save({ text })
      expect((await dataSource.getRepository(Note).find()).map((note) => note.text)).toEqual([text])
    })
    await scope.dispose()
  }
  runtime.close()
})

test('a migration that fails while building the template is named', async () => {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [Note],
    migrations: [CreateNotes1700000000001, BrokenIndex1700000000002],
  })
  const failure = runtimeFor(dataSource).prepare()
  await expect(failure).rejects.toBeInstanceOf(SchemaError)
  await expect(failure).rejects.toThrow(/TypeORM migration BrokenIndex1700000000002 failed while building the template: .*no such table: main\.no_such_table/)
})

test('the DataSource outside any test says so, instead of touching some database', async () => {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Note], migrations: [CreateNotes1700000000001] })
  await runtimeFor(dataSource).prepare()
  await expect(dataSource.getRepository(Note).count()).rejects.toThrow(/called outside a test/)
})

test('a DataSource of another type is refused when the layer is made, naming the type', () => {
  // A real DataSource of another type would need its driver package installed: its options are enough.
  const dataSource = { options: { type: 'postgres' }, initialize: async () => {} } as unknown as DataSource
  expect(() => typeormLayer({ dataSource })).toThrow("needs a DataSource of type 'better-sqlite3' (the test databases are better-sqlite3 connections), got type 'postgres'")
})

test("under isolation 'savepoint', TypeORM's own transactions nest inside the test's and roll back with it", async () => {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Note], migrations: [CreateNotes1700000000001] })
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-fixtures-typeorm-'))
  roots.push(root)
  const runtime = new FixtureRuntime(
    resolveOptions({ rootDir: root, cacheDir: 'cache', isolation: 'savepoint', layers: [typeormLayer({ dataSource })] }),
  )
  await runtime.prepare()
  const notes = () => dataSource.getRepository(Note)
  const first = runtime.openScope('first')
  await runInScope(first, async () => {
    await notes().save({ text: 'saved' })
    await dataSource.transaction(async (manager) => {
      await manager.getRepository(Note).save({ text: 'in a transaction' })
    })
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.getRepository(Note).save({ text: 'rolled back' })
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect((await notes().find({ order: { id: 'ASC' } })).map((note) => note.text)).toEqual(['saved', 'in a transaction'])
  })
  await first.dispose()
  const second = runtime.openScope('second')
  await runInScope(second, async () => expect(await notes().count()).toBe(0))
  await second.dispose()
  runtime.close()
})
