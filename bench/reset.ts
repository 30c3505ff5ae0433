// Experiment (`TSX_DISABLE_CACHE=1 node --import tsx bench/reset.ts`): can a worker keep one connection, whose parsed
// schema survives, and reset its contents per test instead of deserializing a fresh copy?
// Each row is one test's database work: get a clean database, insert a row, read it back.
import Database from 'better-sqlite3'
import { measure, slow, verySlow, type Budget } from './measure.js'
import { formatMs } from './report.js'
import { withScratch } from './scratch.js'
import { firstQuerySql, insertOneSql } from './schema.js'
import { largeTemplate, smallTemplate, type BenchTemplate } from './templates.js'

/** The tables in creation order (parents first), as the template lists them. */
function tableNames(db: Database.Database): string[] {
  return db
    .prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by rowid")
    .pluck()
    .all() as string[]
}

/** What a test does with its database: one write, one read. */
function testBody(db: Database.Database): void {
  db.prepare(insertOneSql()).run()
  db.prepare(firstQuerySql).get()
}

function open(image: Buffer): Database.Database {
  const db = new Database(image)
  db.pragma('foreign_keys = ON')
  return db
}

async function experiment(t: BenchTemplate): Promise<void> {
  const { image, file } = t.template
  const large = image.length > 10 * 2 ** 20
  const budget: Budget | undefined = large ? slow : undefined
  const rows: [string, number][] = []
  const run = async (name: string, fn: () => unknown, rowBudget = budget) => {
    const { medianMs } = await measure(name, fn, rowBudget)
    rows.push([name, medianMs])
    process.stderr.write(`  ${t.label} | ${name}: ${formatMs(medianMs)}\n`)
  }

  await run('fresh deserialize per test (the plugin today)', () => {
    const db = open(image)
    testBody(db)
    db.close()
  })
  await run('  of which: new Database(image) + close, no statement', () => open(image).close())

  // One clone per worker; each test runs inside a savepoint rolled back afterwards.
  const kept = open(image)
  await run('kept connection, savepoint rolled back per test', () => {
    kept.exec('SAVEPOINT test')
    testBody(kept)
    kept.exec('ROLLBACK TO test; RELEASE test')
  })

  // One clone per worker; after each test every table is emptied and refilled from the
  // template (attached read-only), children emptied first, parents refilled first.
  const tables = tableNames(kept)
  kept.exec(`ATTACH DATABASE '${file.replaceAll("'", "''")}' AS template`)
  const refill = (names: readonly string[]) =>
    kept.transaction(() => {
      for (const name of [...names].reverse()) kept.exec(`DELETE FROM main.${name}`)
      for (const name of names) kept.exec(`INSERT INTO main.${name} SELECT * FROM template.${name}`)
    })
  const refillAll = refill(tables)
  await run(
    'kept connection, DELETE + refill all tables per test',
    () => {
      testBody(kept)
      refillAll()
    },
    large ? verySlow : budget,
  )
  // The lower bound of tracking what a test wrote: refill only the table it touched.
  const refillTouched = refill(tables.slice(-1))
  await run('kept connection, DELETE + refill only the table written', () => {
    testBody(kept)
    refillTouched()
  })
  const schemaVersion = kept.pragma('schema_version', { simple: true })
  kept.close()

  const fresh = rows[0]?.[1] ?? Number.NaN
  console.log(`\n${t.label} template (${(image.length / 2 ** 20).toFixed(1)} MiB); schema_version after resets: ${String(schemaVersion)}`)
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(58)} ${formatMs(ms).padStart(10)}  ${(ms / fresh).toFixed(3)}x fresh`)
}

await withScratch('sqlite-fixtures-reset-', async (scratch) => {
  await experiment(await smallTemplate(scratch))
  await experiment(await largeTemplate(scratch))
})
