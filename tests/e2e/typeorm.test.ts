import { expect, test } from 'vitest'
import { leftovers, runFixture } from '../support/run-vitest.js'

test('a TypeORM project runs on a fresh database per test through its own singleton DataSource, also in ten concurrent tests with transactions', async () => {
  const run = await runFixture('typeorm-app')
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed').map((t) => [t.name, t.errors])).toEqual([])
  expect(run.tests.filter((t) => t.state === 'passed').map((t) => t.name).sort()).toEqual([
    ...['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus', 'Radia'].map((name) => `concurrent TypeORM test ${name}`),
    'the migration checks pass on the good migrations > every migration applies in order, and each down undoes its up',
    'the migration checks pass on the good migrations > the entities match the migrated schema',
    'and fail, naming the fault, on broken copies > a down that forgets a column',
    'and fail, naming the fault, on broken copies > an entity with a column no migration creates',
    'a data migration keeps the rows it finds, and fills the new column',
    'app code on the singleton DataSource sees each test its own database > a test places orders',
    'data set up once, through app code on the singleton DataSource > each test sees it',
    "data set up once, through app code on the singleton DataSource > a test's own writes stay its own",
    'data set up once, through app code on the singleton DataSource > the next test starts from the data again',
    'data set up with the DataSource from currentLayer() > each test sees it',
    'outside those blocks, no customer',
    'app code on the singleton DataSource sees each test its own database > the next test sees none of them',
    'ctx.dataSource is the app DataSource, on the same database as ctx.db',
    'foreign keys are enforced through the ORM',
    'the schema came from the migrations, run once on the template',
  ].sort())
  expect(leftovers(run.tmpDir)).toEqual([])
})
