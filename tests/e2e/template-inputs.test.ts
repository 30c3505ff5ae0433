import fs from 'node:fs'
import path from 'node:path'
import { expect, test } from 'vitest'
import { runJest } from '../support/run-jest.js'
import { makeScratch, runFixture } from '../support/run-vitest.js'
import { writeCustomers, writeLabels, writeTags, writeTemplateInputs } from '../support/template-inputs.js'

/**
 * Dates the files of `dir` a minute back, as if edited a while before the run: a file written
 * within 2 s of a run is "racy" to the stat fast path (its next run hashes it again, as git does).
 */
function settle(dir: string): void {
  const past = Date.now() / 1000 - 60
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) fs.utimesSync(path.join(dir, name), past, past)
}

/** The lines of the run's verbose log (the main process's and the workers'). */
const verboseLines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])

test('every file a build reads is an input: an edited import of the seed or of a Kysely migration rebuilds, symlinks are followed, and a run with nothing changed reads nothing', async () => {
  const scratch = makeScratch()
  const inputs = path.join(scratch, 'inputs')
  writeTemplateInputs(inputs)
  const log = path.join(scratch, 'verbose.log')
  const run = () => runFixture('template-inputs', { scratch, env: { INPUTS_DIR: inputs, SQLITE_FIXTURES_VERBOSE: log } })

  const first = await run()
  expect(first.errors).toEqual([])
  expect(first.tests.filter((t) => t.state !== 'passed')).toEqual([])
  // The symlinked schema file and the symlinked Prisma migration folder are applied.
  expect(first.events).toContain('tables customers,notes,orders,tags')
  expect(first.events).toContain('customers Ada,Grace')
  expect(first.events).toContain('tags red,green')
  // A test deleted the folder of its own database file; the next one got a fresh database.
  expect(first.events).toContain('after the deleted folder: 3 customers, file exists')

  // Only the modules the seed and a migration import change.
  writeCustomers(inputs, ['Ada', 'Grace', 'Edsger'])
  writeTags(inputs, ['red', 'green', 'blue'])
  settle(inputs)
  const second = await run()
  expect(second.events).toContain('customers Ada,Grace,Edsger')
  expect(second.events).toContain('tags red,green,blue')
  expect(verboseLines(log).filter((line) => line.includes('template built'))).toHaveLength(2)

  // Nothing changed: the stat fast path vouches for the template, without loading a module.
  fs.rmSync(log)
  const third = await run()
  expect(third.events).toContain('customers Ada,Grace,Edsger')
  expect(verboseLines(log).filter((line) => / template (built|cache hit:)/.test(line))).toEqual([])
  expect(verboseLines(log).filter((line) => line.includes('template cache hit, inputs unchanged'))).toHaveLength(1)
  expect(first.tmpDir && fs.readdirSync(first.tmpDir)).toEqual([])
})

const ormVariants = [
  { orm: 'typeorm', what: "a TypeORM migration class (a setup file's layer)", events: (tags: string) => [`typeorm tags ${tags}`] },
  {
    orm: 'knex-sequelize',
    what: 'a Knex migration and of a Sequelize migration (and a helper their .cjs twins require())',
    events: (tags: string, labels = 'plain') => [`knex tags ${tags}, sequelize tags ${tags}`, `knex labels ${labels}, sequelize labels ${labels}`],
  },
]
for (const { orm, what, events } of ormVariants) {
  test(`an edited import of ${what} rebuilds the template`, async () => {
    const scratch = makeScratch()
    const inputs = path.join(scratch, 'inputs')
    writeTemplateInputs(inputs)
    const run = () => runFixture('template-inputs', { scratch, env: { INPUTS_DIR: inputs, INPUTS_ORM: orm } })
    expect((await run()).events).toEqual(events('red,green'))
    writeTags(inputs, ['red', 'green', 'blue'])
    expect((await run()).events).toEqual(events('red,green,blue'))
    if (orm !== 'knex-sequelize') return
    // Only the helper the .cjs migrations require() (Node loads them, not Vite) changes.
    writeLabels(inputs, ['bold'])
    expect((await run()).events).toEqual(events('red,green,blue', 'bold'))
  })
}

test('a dangling symlink in the schema folder fails the run at its start, naming the link', async () => {
  const scratch = makeScratch()
  const inputs = path.join(scratch, 'inputs')
  writeTemplateInputs(inputs)
  fs.symlinkSync('../shared/003_gone.sql', path.join(inputs, 'schema/003_gone.sql'))
  const failure = await runFixture('template-inputs', { scratch, env: { INPUTS_DIR: inputs }, files: ['tests/data.test.ts'] }).then(
    (run) => run.tests,
    (error: unknown) => error,
  )
  expect(failure).toMatchObject({ name: 'SqliteFixturesConfigError' })
  expect((failure as Error).message).toContain(
    `${path.join(inputs, 'schema/003_gone.sql')} in the folder of option "schema" is a symbolic link to ../shared/003_gone.sql, which does not exist`,
  )
})

test("Jest: an edited import of the global setup's seed module rebuilds; symlinks are followed; a test may delete its database's folder", async () => {
  const scratch = makeScratch()
  const inputs = path.join(scratch, 'inputs')
  writeTemplateInputs(inputs)
  const run = () => runJest('jest-template-inputs', { scratch, env: { INPUTS_DIR: inputs } })
  const first = await run()
  expect(first.errors).toEqual([])
  expect(first.tests.filter((t) => t.state !== 'passed')).toEqual([])
  expect(first.events).toContain('tables customers,notes,orders')
  expect(first.events).toContain('customers Ada,Grace')
  expect(first.events).toContain('after the deleted folder: 3 customers, file exists')
  writeCustomers(inputs, ['Ada', 'Grace', 'Edsger'])
  expect((await run()).events).toContain('customers Ada,Grace,Edsger')
})

test("Jest: an edited import of a Knex migration, or a helper a .cjs migration requires, rebuilds the template between runs", async () => {
  const scratch = makeScratch()
  const inputs = path.join(scratch, 'inputs')
  writeTemplateInputs(inputs)
  const run = () => runJest('jest-template-inputs', { scratch, env: { INPUTS_DIR: inputs, INPUTS_ORM: 'knex' } })
  const first = await run()
  expect(first.errors).toEqual([])
  expect(first.events).toEqual(['knex tags red,green', 'knex labels plain'])
  writeTags(inputs, ['red', 'green', 'blue'])
  expect((await run()).events).toEqual(['knex tags red,green,blue', 'knex labels plain'])
  // Only the helper the .cjs migration require()s changes.
  writeLabels(inputs, ['bold'])
  expect((await run()).events).toEqual(['knex tags red,green,blue', 'knex labels bold'])
})

test('Jest projects, each with its own global setup: each project runs on its own template', async () => {
  const run = await runJest('jest-projects')
  expect(run.errors).toEqual([])
  expect(run.tests.map((t) => [t.name, t.state, t.errors])).toEqual([
    ['project apples gets its own table', 'passed', []],
    ['project bananas gets its own table', 'passed', []],
  ])
})
