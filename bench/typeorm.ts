// `npm run bench:typeorm`: what one test's TypeORM setup costs, on a 40-entity schema
// with relations: a fresh DataSource per test (synchronize, or on an existing schema)
// against this plugin's layer (the app's DataSource, kept initialized, put on the test's clone).
import Database from 'better-sqlite3'
import { DataSource, EntitySchema } from 'typeorm'
import { currentScope, runInScope } from '../src/core/lifecycle/owner.js'
import { resolveOptions } from '../src/core/base/options.js'
import { FixtureRuntime } from '../src/core/lifecycle/runtime.js'
import { connectionTo } from '../src/typeorm/connection.js'
import { typeormLayer } from '../src/typeorm/layer.js'
import { formatMs } from './report.js'
import { measure, slow, quick } from './measure.js'
import { withScratch } from './scratch.js'

const entityCount = 40

/** 40 entities; each has a name, an amount, and many-to-one relations to the two before it. */
function entities(): EntitySchema[] {
  return Array.from({ length: entityCount }, (_, i) => {
    const relations: Record<string, { type: 'many-to-one'; target: string; nullable: boolean; onDelete: 'CASCADE' }> = {}
    for (const parent of [i - 1, i - 2].filter((p) => p >= 0)) {
      relations[`parent${parent}`] = { type: 'many-to-one', target: `Entity${parent}`, nullable: true, onDelete: 'CASCADE' }
    }
    return new EntitySchema({
      name: `Entity${i}`,
      tableName: `entity_${i}`,
      columns: {
        id: { type: 'integer', primary: true, generated: true },
        name: { type: 'varchar' },
        amount: { type: 'integer', default: 0 },
      },
      relations,
      indices: [{ columns: ['name'] }],
    })
  })
}

const firstQuery = (dataSource: DataSource) => dataSource.getRepository('Entity39').count()

async function main(scratch: string): Promise<void> {
  const schema = entities()
  const appDataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: schema })
  const runtime = new FixtureRuntime(
    resolveOptions({ rootDir: scratch, cacheDir: 'cache', layers: [typeormLayer({ dataSource: appDataSource })] }),
  )
  const template = await runtime.prepare()
  const rows: [string, Awaited<ReturnType<typeof measure>>][] = []
  try {
    rows.push([
      'new DataSource + initialize + synchronize per test',
      await measure('sync', async () => {
        const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: schema, synchronize: true })
        await ds.initialize()
        await firstQuery(ds)
        await ds.destroy()
      }, slow),
    ])
    rows.push([
      'new DataSource + initialize on a clone of the migrated template',
      await measure('existing', async () => {
        const db = new Database(template.image)
        const ds = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: schema, driver: connectionTo(db) })
        await ds.initialize()
        await firstQuery(ds)
        await ds.destroy()
      }, slow),
    ])
    rows.push([
      'plugin: the app DataSource on a fresh clone (typeormLayer)',
      await measure('plugin', async () => {
        const scope = runtime.openScope('bench')
        await runInScope(scope, async () => {
          await firstQuery(currentScope().get('dataSource'))
        })
        await scope.dispose()
      }, quick),
    ])
  } finally {
    runtime.close()
  }
  const plugin = rows[2]?.[1].medianMs ?? Number.NaN
  console.log(`TypeORM, ${entityCount} entities with relations; per test, medians (node ${process.version})`)
  for (const [name, m] of rows) {
    console.log(`${name.padEnd(66)} ${formatMs(m.medianMs).padStart(10)}  p95 ${formatMs(m.p95Ms).padStart(10)}  ${(m.medianMs / plugin).toFixed(1).padStart(6)}x the plugin`)
  }
}

await withScratch('sqlite-fixtures-bench-typeorm-', main)
