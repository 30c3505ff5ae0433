import type { Database } from 'better-sqlite3'
import type { Broker } from '../broker/broker.js'
import '../broker/layer.js'
import { test as baseTest, type TestAPI } from 'vitest'
import type { AnyLayer, Fixtures, Layer } from '../core/base/index.js'
import type { TestScope } from '../core/lifecycle/index.js'
import { scopeOf } from './hooks.js'
import { missingHooks } from './installed.js'
import { addContextLayer } from './runtime.js'

type Use<Value> = (value: Value) => Promise<void>

/** A Vitest fixture that hands the test the value of a layer, built through the test's scope. */
export type LayerFixture<Value> = (context: { sqliteScope: TestScope }, use: Use<Value>) => Promise<void>

/**
 * Turns a layer into a fixture for `test.extend`, so one definition serves both modes:
 *
 * ```ts
 * import { test as base, fixture } from 'sqlite-fixtures/vitest'
 * export const test = base.extend({ users: fixture(usersLayer) })
 * ```
 */
export function fixture<Name extends string, Value>(layer: Layer<Name, Value, keyof Fixtures>): LayerFixture<Value> {
  addContextLayer(layer as AnyLayer)
  return layerFixture<Value>(layer.name)
}

function layerFixture<Value>(name: string): LayerFixture<Value> {
  // Vitest reads a fixture's dependencies from the destructuring below: keep it as written.
  return async ({ sqliteScope }, use) => {
    await use((await sqliteScope.resolve(name)) as Value)
  }
}

/** The fixtures of context mode's `test`. */
export interface ContextFixtures {
  /** The test's scope: builds layers on first use and tears them down after the test. */
  sqliteScope: TestScope
  db: Database
  broker: Broker
}

function createTest(): TestAPI<ContextFixtures> {
  return baseTest.extend<ContextFixtures>({
    // The hooks open each test's scope and run the test in it: a fixture cannot give the
    // test an async context of its own, which currentDb() and the test-following handle need.
    sqliteScope: async ({ task }, use) => use(scopeOf(task) ?? missingHooks()),
    db: layerFixture<Database>('db'),
    broker: layerFixture<Broker>('broker'),
  })
}

let created: TestAPI<ContextFixtures> | undefined
const real = () => (created ??= createTest())

/**
 * Context mode: a `test` whose fixtures are the layers, for projects that prefer explicit
 * fixtures to the auto-applied hooks. A test builds only the layers it destructures; the
 * scope tears them all down, in reverse order, when the test ends. Override one per suite
 * with Vitest's `test.override({ db: ... })`.
 *
 * Made on first use: `test.extend` needs a running Vitest, and this module is also
 * imported by vitest.config.ts for the plugin.
 */
export const test = new Proxy(function test() {}, {
  apply: (_target, thisArg, args) => Reflect.apply(real() as unknown as (...args: unknown[]) => unknown, thisArg, args),
  get: (_target, property) => Reflect.get(real(), property),
}) as unknown as TestAPI<ContextFixtures>
