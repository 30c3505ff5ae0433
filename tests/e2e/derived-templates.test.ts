import fs from 'node:fs'
import { describe, expect, test } from 'vitest'
import { leftovers, runFixture, type InnerRun } from '../support/run-vitest.js'

function expectAllPassed(run: InnerRun): void {
  expect(run.errors).toEqual([])
  expect(run.tests.filter((t) => t.state !== 'passed' && t.state !== 'skipped').map((t) => [t.name, t.errors])).toEqual([])
}

// File mode skips the sample's concurrent blocks: DATABASE_URL can name one database at a time.
const variants = [
  ['memory mode', { SAMPLE_MODE: 'memory' }, 0],
  ['file mode', { SAMPLE_MODE: 'file' }, 2],
  ["isolation 'savepoint'", { SAMPLE_ISOLATION: 'savepoint' }, 0],
] as const

describe.each(variants)('%s', (_name, env, skipped) => {
  test('a beforeAll in a describe block or at the top of a file writes the data every test of the block starts from', async () => {
    const run = await runFixture('derived', { env, files: ['tests/blocks.test.ts'] })
    expectAllPassed(run)
    expect(run.tests.map((t) => t.name)).toEqual([
      'a file-level beforeAll writes into the template of the whole file',
      'a describe block whose beforeAll writes data > each test of the block starts from that data',
      'a describe block whose beforeAll writes data > a test does not see what a sibling test wrote or deleted',
      "a describe block whose beforeAll writes data > a nested block > starts from its parent's data and adds its own",
      "a describe block whose beforeAll writes data > the block's own tests do not see its nested block's data",
      'a sibling block > does not see the data of the block beside it',
      'a block whose beforeAll awaits > sees what it wrote after the await',
      "a block whose beforeAll writes nothing > starts from its parent's template",
      "blocks that run at the same time > left > sees only the left block's data",
      "blocks that run at the same time > right > sees only the right block's data",
    ])
    expect(run.tests.filter((t) => t.state === 'skipped')).toHaveLength(skipped)
    expect(leftovers(run.tmpDir)).toEqual([])
  })

  test('deriveTemplate() does the same, at the top of a file and in a describe block', async () => {
    const run = await runFixture('derived', { env, files: ['tests/helper.test.ts'] })
    expectAllPassed(run)
    expect(run.tests).toHaveLength(3)
    expect(leftovers(run.tmpDir)).toEqual([])
  })
})

test('derived templates live in memory: the cache holds only the template the main process built', async () => {
  const run = await runFixture('derived', { files: ['tests/blocks.test.ts', 'tests/helper.test.ts'], captureOutput: true })
  expectAllPassed(run)
  // The sample's setup file calls the deprecated useSqliteFixtures(): in each file, and said once.
  expect(run.output.match(/useSqliteFixtures\(\) is deprecated: call configureSqliteFixtures\(\) from 'sqlite-fixtures\/vitest' instead/g)).toHaveLength(1)
  expect(fs.readdirSync(run.cacheDir).filter((name) => name.endsWith('.sqlite'))).toHaveLength(1)
})

test('a file whose tests never touch a database loads no driver, and its worker says it used none', async () => {
  const run = await runFixture('derived', { files: ['tests/untouched.test.ts', 'tests/helper.test.ts'] })
  expectAllPassed(run)
  expect(run.fileMeta['tests/untouched.test.ts']).toEqual({ sqliteFixtures: { opened: false, templateFiles: [] } })
  expect(run.fileMeta['tests/helper.test.ts']).toEqual({ sqliteFixtures: { opened: true, templateFiles: [] } })
})
