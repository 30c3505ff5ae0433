import fs from 'node:fs'
import path from 'node:path'
import { expect, test, vi } from 'vitest'
import { installSample } from '../../bench/install.js'
import { makeScratch, watchFixture } from '../support/run-vitest.js'

test('in watch mode, a schema change reruns the test files that use the database, with the new template', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  // The schema folder lives in a scratch dir, outside the project: the committed sample never
  // changes. Each step touches a file the step before did not (the file watcher throttles
  // repeated change events of one file).
  const schema = path.join(scratch, 'schema')
  fs.mkdirSync(schema)
  const customers = path.join(schema, '001_customers.sql')
  fs.writeFileSync(customers, 'create table customers (id integer primary key, name text);\n')
  const session = await watchFixture('watch', { scratch, env: { WATCH_SCHEMA: schema } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name', 'pure ran'])

    const edited = session.nextRun()
    fs.writeFileSync(customers, 'create table customers (id integer primary key, name text, email text);\n')
    await edited
    // Only the file that used a database ran again, and it saw the new column.
    expect(session.reruns).toEqual([['tests/columns.test.ts']])
    expect(session.events().slice(2)).toEqual(['columns id,name,email'])

    // A new .sql file in the schema folder that does not build is reported once, reruns
    // nothing, and the watcher keeps running: fixing it reruns.
    const phone = path.join(schema, '002_phone.sql')
    fs.writeFileSync(phone, 'alter tabel customers add column phone text;\n')
    await vi.waitFor(() => expect(session.stderr()).toContain('the template could not be rebuilt'), { timeout: 30_000, interval: 50 })
    const fixed = session.nextRun()
    fs.writeFileSync(phone, 'alter table customers add column phone text;\n')
    await fixed
    expect(session.stderr().match(/the template could not be rebuilt/g)).toHaveLength(1)
    expect(session.stderr()).toContain('002_phone.sql:1 failed: near "tabel": syntax error')
    expect(session.reruns).toEqual([['tests/columns.test.ts'], ['tests/columns.test.ts']])
    expect(session.events().slice(2)).toEqual(['columns id,name,email', 'columns id,name,email,phone'])
  } finally {
    await session.close()
  }
})

test("in watch mode, a change to the ORM's migrations, or to a file a layer's template step reads, reruns with the new template", { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  // A copy of the sample with the packed package installed: the test edits the copy.
  const root = installSample('watch-orm', scratch)
  const session = await watchFixture(root, { scratch })
  try {
    expect(session.events().sort()).toEqual(['customers id,name', 'notes id,body', 'pure ran'])

    // A new migration: the setup file imports it, so Vitest reruns the project's files.
    const migrated = session.nextRun()
    const migrations = path.join(root, 'src/migrations.ts')
    fs.writeFileSync(
      migrations,
      fs.readFileSync(migrations, 'utf8').replace(
        'export const migrations = [CreateCustomers1700000000001]',
        `export class AddEmail1700000000002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "customers" ADD COLUMN "email" varchar')
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "customers" DROP COLUMN "email"')
  }
}

export const migrations = [CreateCustomers1700000000001, AddEmail1700000000002]`,
      ),
    )
    await migrated
    expect(session.reruns.at(-1)).toContain('tests/columns.test.ts')
    expect(session.events()).toContain('customers id,name,email')

    // A SQL file in the folder the notes layer's template step reads: only the file that used a database reruns.
    const noted = session.nextRun()
    fs.writeFileSync(path.join(root, 'db/notes/001_notes.sql'), 'create table notes (id integer primary key, body text, title text);\n')
    await noted
    expect(session.reruns.at(-1)).toEqual(['tests/columns.test.ts'])
    expect(session.events().at(-1)).toBe('notes id,body,title')

    // A new file in that folder, as a new migration would be.
    const added = session.nextRun()
    fs.writeFileSync(path.join(root, 'db/notes/002_done.sql'), 'alter table notes add column done integer;\n')
    await added
    expect(session.reruns.at(-1)).toEqual(['tests/columns.test.ts'])
    expect(session.events().at(-1)).toBe('notes id,body,title,done')
  } finally {
    await session.close()
  }
})
