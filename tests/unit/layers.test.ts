import { describe, expect, test } from 'vitest'
import { FixtureUnavailableError, LayerError } from '../../src/core/base/errors.js'
import { defineLayer, type AnyLayer } from '../../src/core/base/layer.js'
import { LayerGraph } from '../../src/core/lifecycle/layers.js'
import { TestScope } from '../../src/core/lifecycle/scope.js'
import { finishFile } from '../../src/core/lifecycle/refusals.js'

/** Layers that record their setups and teardowns in `log`. */
function recorded(log: string[], specs: Record<string, { deps?: string[]; setupThrows?: boolean; teardownThrows?: boolean; async?: boolean }>): AnyLayer[] {
  return Object.entries(specs).map(([name, spec]) => ({
    name,
    dependsOn: spec.deps ?? [],
    setup: (deps: Record<string, unknown>) => {
      log.push(`setup ${name}(${Object.keys(deps).join(',')})`)
      if (spec.setupThrows) throw new Error(`${name} broke`)
      return spec.async ? Promise.resolve(`${name}-value`) : `${name}-value`
    },
    teardown: (value: unknown) => {
      log.push(`teardown ${name}=${String(value)}`)
      if (spec.teardownThrows) throw new Error(`${name} teardown broke`)
    },
  }))
}

const info = { name: 'a test', id: '1' }
const scopeOf = (layers: AnyLayer[], optedOut?: string) => new TestScope(new LayerGraph(layers), info, optedOut)

describe('registration', () => {
  test('a dependency that is not a layer is named, with the known ones', () => {
    expect(() => new LayerGraph(recorded([], { db: {}, broker: { deps: ['dbb'] } }))).toThrow(
      'layer "broker" depends on "dbb", which is not a layer. Known layers: db, broker.',
    )
  })

  test('two layers with one name are refused', () => {
    expect(() => new LayerGraph(recorded([], { db: {} }).concat(recorded([], { db: {} })))).toThrow(
      'two layers are named "db". Layer names must be unique ("db" is built in).',
    )
  })

  test('a cycle is refused, naming its layers in order', () => {
    const error = () => new LayerGraph(recorded([], { a: { deps: ['b'] }, b: { deps: ['c'] }, c: { deps: ['a'] } }))
    expect(error).toThrow(LayerError)
    expect(error).toThrow('layers depend on each other in a cycle: a -> b -> c -> a.')
  })
})

describe('a test scope', () => {
  test('builds nothing until a layer is used', async () => {
    const log: string[] = []
    const scope = scopeOf(recorded(log, { db: {}, broker: { deps: ['db'] } }))
    await scope.dispose()
    expect(log).toEqual([])
  })

  test('builds dependencies first, each once, and tears down in reverse order', async () => {
    const log: string[] = []
    const scope = scopeOf(recorded(log, { db: {}, broker: { deps: ['db'] }, users: { deps: ['db'] }, app: { deps: ['broker', 'users'] } }))
    expect(scope.get('app')).toBe('app-value')
    expect(scope.get('db')).toBe('db-value')
    await scope.dispose()
    expect(log).toEqual([
      'setup db()', 'setup broker(db)', 'setup users(db)', 'setup app(broker,users)',
      'teardown app=app-value', 'teardown users=users-value', 'teardown broker=broker-value', 'teardown db=db-value',
    ])
  })

  test('runs every teardown when some throw, and reports all of them by layer', async () => {
    const log: string[] = []
    const scope = scopeOf(recorded(log, { db: { teardownThrows: true }, broker: { deps: ['db'], teardownThrows: true }, app: { deps: ['broker'] } }))
    scope.get('app')
    const failure = await scope.dispose().then(() => undefined, (error: unknown) => error)
    expect(log.filter((line) => line.startsWith('teardown'))).toEqual(['teardown app=app-value', 'teardown broker=broker-value', 'teardown db=db-value'])
    expect(failure).toBeInstanceOf(AggregateError)
    const errors = (failure as AggregateError).errors as Error[]
    expect(errors.map((error) => error.message)).toEqual([
      'sqlite-fixtures: teardown of layer "broker" failed: broker teardown broke',
      'sqlite-fixtures: teardown of layer "db" failed: db teardown broke',
    ])
  })

  test('a single failing teardown is thrown as itself, naming the layer', async () => {
    const scope = scopeOf(recorded([], { db: { teardownThrows: true } }))
    scope.get('db')
    await expect(scope.dispose()).rejects.toThrow('teardown of layer "db" failed: db teardown broke')
  })

  test('a layer whose setup throws is named, and the layers built before it are still torn down', async () => {
    const log: string[] = []
    const scope = scopeOf(recorded(log, { db: {}, broker: { deps: ['db'], setupThrows: true } }))
    expect(() => scope.get('broker')).toThrow('setup of layer "broker" failed: broker broke')
    await scope.dispose()
    expect(log).toEqual(['setup db()', 'setup broker(db)', 'teardown db=db-value'])
  })

  test('an async layer is awaited through resolve(), and refused by get() with a clear way out', async () => {
    const log: string[] = []
    const layers = recorded(log, { db: {}, orm: { deps: ['db'], async: true } })
    const resolved = scopeOf(layers)
    await expect(resolved.resolve('orm')).resolves.toBe('orm-value')
    await resolved.dispose()
    expect(log).toEqual(['setup db()', 'setup orm(db)', 'teardown orm=orm-value', 'teardown db=db-value'])

    const refused = scopeOf(layers)
    expect(() => refused.get('orm')).toThrow(/layer "orm" has an async setup, so it cannot be read synchronously/)
    await refused.dispose() // the started setup is still torn down
    expect(log.slice(4)).toEqual(['setup db()', 'setup orm(db)', 'teardown orm=orm-value', 'teardown db=db-value'])
  })

  test('two concurrent resolves of one layer build it once', async () => {
    const log: string[] = []
    const scope = scopeOf(recorded(log, { db: { async: true } }))
    const [a, b] = await Promise.all([scope.resolve('db'), scope.resolve('db')])
    expect([a, b]).toEqual(['db-value', 'db-value'])
    expect(log).toEqual(['setup db()'])
  })

  test('an opted-out test cannot reach db, nor the layers above it', () => {
    const scope = scopeOf(recorded([], { db: {}, broker: { deps: ['db'] } }), 'it is tagged "no-db".')
    expect(() => scope.get('broker')).toThrow(FixtureUnavailableError)
    expect(() => scope.get('broker')).toThrow('test "a test" has no database: it is tagged "no-db".')
  })

  test('a layer used after its test ended is refused, naming the test', async () => {
    const scope = scopeOf(recorded([], { db: {} }))
    await scope.dispose()
    expect(() => scope.get('db')).toThrow('test "a test" has ended, but work it left running')
    expect((await finishFile(undefined)).map((error) => error.name)).toEqual(['LateWorkError'])
  })

  test('defineLayer passes typed dependencies', () => {
    const layer = defineLayer({ name: 'count', dependsOn: ['db'], setup: ({ db }) => db.prepare('select 1').pluck().get() })
    expect(layer.dependsOn).toEqual(['db'])
  })
})

test('in Vitest, a layer named like a field of the test context is refused', async () => {
  const { checkLayerNames } = await import('../../src/vitest/expose.js')
  expect(() => checkLayerNames(['db', 'task'])).toThrow(
    'a layer is named "task", which Vitest\'s test context already uses (ctx.task). Rename the layer.',
  )
  expect(() => checkLayerNames(['db', 'broker', 'users'])).not.toThrow()
})
