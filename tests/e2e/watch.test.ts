import fs from 'node:fs'
import path from 'node:path'
import { expect, test, vi } from 'vitest'
import { makeScratch, watchFixture } from '../support/run-vitest.js'

const schemaWith = (columns: string) => `create table customers (id integer primary key, ${columns});\n`

test('in watch mode, a schema change reruns the test files that use the database, with the new template', async () => {
  const scratch = makeScratch()
  // The schema lives in a scratch copy, outside the project: the committed sample never changes.
  const schema = path.join(scratch, 'schema.sql')
  fs.writeFileSync(schema, schemaWith('name text'))
  const session = await watchFixture('watch', { scratch, env: { WATCH_SCHEMA: schema } })
  try {
    expect(session.events().sort()).toEqual(['columns id,name', 'pure ran'])

    const rerun = session.nextRun()
    fs.writeFileSync(schema, schemaWith('name text, email text'))
    await rerun
    // Only the file that used a database ran again, and it saw the new column.
    expect(session.reruns).toEqual([['tests/columns.test.ts']])
    expect(session.events().slice(2)).toEqual(['columns id,name,email'])

    // A broken schema is reported once, reruns nothing, and the watcher keeps running.
    fs.writeFileSync(schema, 'create tabel customers (id integer primary key);\n')
    await vi.waitFor(() => expect(session.stderr()).toContain('the template could not be rebuilt'), { timeout: 20_000, interval: 50 })
    const fixed = session.nextRun()
    fs.writeFileSync(schema, schemaWith('name text, phone text'))
    await fixed
    expect(session.stderr().match(/the template could not be rebuilt/g)).toHaveLength(1)
    expect(session.stderr()).toContain('near "tabel": syntax error')
    expect(session.reruns).toEqual([['tests/columns.test.ts'], ['tests/columns.test.ts']])
    expect(session.events().slice(2)).toEqual(['columns id,name,email', 'columns id,name,phone'])
  } finally {
    await session.close()
  }
})
