// `npm run bench:libsql`: what one test's libSQL database costs, on the bench's 40-table schema
// (foreign keys, indexes, 1,000 seed rows): the floor (a fresh copy of the template file, a
// libSQL client on it, the first query), this plugin's testLibsqlClient(), and the usual way
// (a `:memory:` client migrated per test), side by side in one run.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { createClient } from '@libsql/client'
import { currentDb } from '../src/core/access/current.js'
import { resolveOptions } from '../src/core/base/options.js'
import { runInScope } from '../src/core/lifecycle/owner.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { testLibsqlClient } from '../src/libsql/index.js'
import { measure, quick, slow } from './measure.js'
import { formatMs } from './report.js'
import { firstQuerySql, insertOneSql, schemaSql, seedSql, tableNames, writeSchemaFiles } from './schema.js'
import { withScratch } from './scratch.js'

const libsqlVersion = (JSON.parse(fs.readFileSync(new URL('../node_modules/@libsql/client/package.json', import.meta.url), 'utf8')) as { version: string }).version

await withScratch('sqlite-fixtures-bench-libsql-', async (scratch) => {
  const files = writeSchemaFiles(path.join(scratch, 'schema'), seedSql())
  const client = testLibsqlClient()
  const runtime = new FixtureRuntime(resolveOptions({ rootDir: scratch, cacheDir: 'cache', tempDir: path.join(scratch, 'tmp'), schema: files.schema, seed: files.seed }))
  const template = await runtime.prepare()
  const copies = path.join(scratch, 'copies')
  fs.mkdirSync(copies)
  let copy = 0
  const inTest = async (work: () => Promise<unknown>) => {
    const scope = runtime.openScope('bench')
    await runInScope(scope, work)
    await scope.dispose()
  }
  /** The floor: what a hand-written per-test setup on a copy of the template file does. */
  const onFreshCopy = async (work: (c: ReturnType<typeof createClient>) => Promise<unknown>) => {
    const file = path.join(copies, `${(copy += 1)}.sqlite`)
    fs.copyFileSync(template.file, file)
    const fresh = createClient({ url: pathToFileURL(file).href })
    await work(fresh)
    fresh.close()
    for (const suffix of ['', '-journal']) fs.rmSync(file + suffix, { force: true })
  }
  const schemaAndSeed = `${schemaSql()}\n${fs.readFileSync(files.seed, 'utf8')}`

  const tasks: [string, () => Promise<unknown>][] = [
    ['floor: copy the template file + createClient(file:) + first query', () => onFreshCopy((c) => c.execute(firstQuerySql))],
    ['plugin: testLibsqlClient() + first query', () => inTest(() => client.execute(firstQuerySql))],
    ['  the plugin without libSQL: ctx.db on the file clone + first query', () => inTest(async () => currentDb().prepare(firstQuerySql).get())],
    ['floor, writing a row', () => onFreshCopy(async (c) => c.execute(insertOneSql()))],
    ['plugin, writing a row (and the foreign-key check at teardown)', () => inTest(() => client.execute(insertOneSql()))],
  ]
  const rounds = 5
  const medians = new Map<string, number[]>()
  const usual = await measure('usual', async () => {
    const memory = createClient({ url: ':memory:' })
    await memory.executeMultiple(schemaAndSeed)
    await memory.execute(firstQuerySql)
    memory.close()
  }, slow)
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [name, fn] of tasks) {
        const m = await measure(name, fn, { ...quick, time: 300 })
        medians.set(name, [...(medians.get(name) ?? []), m.medianMs])
      }
      process.stderr.write(`  round ${round + 1}/${rounds}\n`)
    }
  } finally {
    runtime.close()
  }
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
  const floor = median(medians.get(tasks[0]?.[0] ?? '') ?? [])
  const writingFloor = median(medians.get(tasks[3]?.[0] ?? '') ?? [])
  console.log(
    `@libsql/client ${libsqlVersion}, ${tableNames.length} tables, 1,000 rows (${(template.image.length / 1024).toFixed(0)} KiB); ` +
      `per test, median of ${rounds} interleaved rounds' medians (node ${process.version})`,
  )
  const line = (name: string, ms: number, base: number) => console.log(`${name.padEnd(72)} ${formatMs(ms).padStart(10)}  ${(ms / base).toFixed(2).padStart(6)}x the floor`)
  line('usual: createClient(:memory:) + executeMultiple(schema, seed) + query', usual.medianMs, floor)
  for (const [name, values] of medians) line(name, median(values), name.includes('writing') ? writingFloor : floor)
})
