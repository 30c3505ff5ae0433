import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { installSample } from '../../bench/install.js'
import { makeScratch, saveAndRerun, watchFixture } from '../support/run-vitest.js'
import { writeCustomers, writeTags, writeTemplateInputs } from '../support/template-inputs.js'

// Watch mode on a template that code builds: the ORM's migrations, a layer's template step, the
// modules a seed or a migration imports (schemas and migrations as files: watch.test.ts).

test("in watch mode, a change to the ORM's migrations, or to a file a layer's template step reads, reruns with the new template", { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  // A copy of the sample with the packed package installed: the test edits the copy.
  const root = installSample('watch-orm', scratch)
  const session = await watchFixture(root, { scratch })
  try {
    expect(session.events().sort()).toEqual(['customers id,name', 'notes id,body', 'pure ran'])

    // A new migration: the setup file imports it, so Vitest reruns the project's files.
    const migrations = path.join(root, 'src/migrations.ts')
    await saveAndRerun(session, () => {
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
    })
    expect(session.reruns.at(-1)).toContain('tests/columns.test.ts')
    expect(session.events()).toContain('customers id,name,email')

    // A SQL file in the folder the notes layer's template step reads: only the file that used a database reruns.
    await saveAndRerun(session, () => fs.writeFileSync(path.join(root, 'db/notes/001_notes.sql'), 'create table notes (id integer primary key, body text, title text);\n'))
    expect(session.reruns.at(-1)).toEqual(['tests/columns.test.ts'])
    expect(session.events().at(-1)).toBe('notes id,body,title')

    // A new file in that folder, as a new migration would be.
    await saveAndRerun(session, () => fs.writeFileSync(path.join(root, 'db/notes/002_done.sql'), 'alter table notes add column done integer;\n'))
    expect(session.reruns.at(-1)).toEqual(['tests/columns.test.ts'])
    expect(session.events().at(-1)).toBe('notes id,body,title,done')
  } finally {
    await session.close()
  }
})

test('in watch mode, an edit to a module the seed or a Kysely migration imports, and a deleted schema file, each rebuild and rerun the files that use the database', { timeout: 120_000 }, async () => {
  const scratch = makeScratch()
  const inputs = path.join(scratch, 'inputs')
  writeTemplateInputs(inputs)
  const session = await watchFixture('template-inputs', { scratch, env: { INPUTS_DIR: inputs } })
  const last = (prefix: string) => session.events().filter((line) => line.startsWith(prefix)).at(-1)
  try {
    expect(last('customers ')).toBe('customers Ada,Grace')
    const databaseFiles = ['tests/data.test.ts', 'tests/deleted-folder.test.ts']

    await saveAndRerun(session, () => writeCustomers(inputs, ['Ada', 'Grace', 'Edsger']))
    expect(session.reruns).toEqual([databaseFiles])
    expect(last('customers ')).toBe('customers Ada,Grace,Edsger')

    await saveAndRerun(session, () => writeTags(inputs, ['red', 'green', 'blue']))
    expect(last('tags ')).toBe('tags red,green,blue')

    // Vitest offers no trigger a deleted file: the plugin reruns on it all the same.
    await saveAndRerun(session, () => fs.rmSync(path.join(inputs, 'schema/002_orders.sql')))
    expect(session.reruns).toEqual([databaseFiles, databaseFiles, databaseFiles])
    expect(last('tables ')).toBe('tables customers,notes,tags')
  } finally {
    await session.close()
  }
})
