import { TestRunner, type TestContext } from 'vitest'
import { LateWorkError, LayerError, realmState } from '../core/base/index.js'
import { refuse, scopeIfAny, type TestScope } from '../core/lifecycle/index.js'

/** Names Vitest's context already uses; a layer may not hide them. */
const reservedContextNames = new Set(['task', 'signal', 'onTestFailed', 'onTestFinished', 'skip', 'annotate', 'expect'])

/** Refuses, at configuration time, a layer whose name `ctx` already uses. */
export function checkLayerNames(names: readonly string[]): void {
  const clash = names.find((name) => reservedContextNames.has(name))
  if (clash !== undefined) {
    throw new LayerError(
      `sqlite-fixtures: a layer is named "${clash}", which Vitest's test context already uses (ctx.${clash}). ` +
        'Rename the layer.',
    )
  }
}

/**
 * The scope whose layers each test context exposes while its test runs, and the test's name
 * once it has ended (its layers are refused, naming it, and it holds no scope: Vitest keeps
 * every test's context until the run ends, so a long run does not hold one per test). Per
 * realm, as the accessors are: they may have been defined by another copy of the package.
 */
const exposedScopes = realmState('vitest-exposed-scopes', () => new WeakMap<object, TestScope | string>())

/**
 * One accessor per layer name, shared by every test's context, which finds its test's scope
 * by the context it is read on: defining the same accessor on each context makes no
 * closures, and V8 reuses the context's shape from test to test. It stays when the test
 * ends (redefining a property per test cost more than the rest of the plugin's hook).
 */
const accessors = realmState('vitest-layer-accessors', () => new Map<string, PropertyDescriptor>())

/** The scope exposed on the context a layer is read on, or on the context it was made from (its prototype); the test's name once it has ended. */
function exposedScope(ctx: object): TestScope | string | undefined {
  for (let at: object | null = ctx; at; at = Object.getPrototypeOf(at) as object | null) {
    const scope = exposedScopes.get(at)
    if (scope !== undefined) return scope
  }
  return undefined
}

function accessorOf(name: string): PropertyDescriptor {
  let accessor = accessors.get(name)
  if (!accessor) {
    accessor = {
      configurable: true,
      enumerable: false,
      get(this: object) {
        const scope = exposedScope(this)
        // Never exposed (a hook that runs before the plugin's, in a test's first attempt):
        // absent, as before the accessor was defined. In a later attempt it is still the
        // ended attempt's until the plugin's hook runs, and refused, as it always was.
        if (scope === undefined) return undefined
        return typeof scope === 'string' ? refuseEndedRead(name, scope) : scope.get(name)
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true })
      },
    }
    accessors.set(name, accessor)
  }
  return accessor
}

/** Marks the runner's `extendTaskContext` once wrapped, in whichever copy of the package wrapped it. */
const wrappedMark = Symbol.for('sqlite-fixtures.exposeAtCollection')

type ContextExtender = ((this: unknown, context: TestContext) => TestContext | undefined) | undefined

/**
 * Defines the accessors of `names` on each test context as Vitest makes it, while the test
 * file is collected. Vitest's context is a function whose own getters (`expect`) leave it a
 * slow object, on which defining the accessors as each test starts cost every test ~5 us
 * (Node 24); on the context as it is made, before those getters, it is a shape change V8
 * shares between tests. Through the runner's own hook for adding to the context
 * (`extendTaskContext`), wrapped once per realm; where a runner does not call it (a custom
 * runner's own), `exposeLayers()` defines them as each test starts, as before.
 */
export function exposeAtCollection(names: readonly string[]): void {
  const runner = TestRunner.prototype as unknown as Record<PropertyKey, unknown>
  if (runner[wrappedMark] === true) return
  const original = runner.extendTaskContext as ContextExtender
  Object.defineProperty(runner, 'extendTaskContext', {
    configurable: true,
    writable: true,
    value(this: unknown, context: TestContext): TestContext {
      for (const name of names) if (!Object.hasOwn(context, name)) Object.defineProperty(context, name, accessorOf(name))
      return original?.call(this, context) ?? context
    },
  })
  runner[wrappedMark] = true
}

/**
 * Makes `ctx.<layer>` a getter that builds the layer on first read, so a test pays only for
 * what it touches. A fixture of Vitest's own `test.extend` may assign the same name; the
 * setter lets its value win.
 */
export function exposeLayers(ctx: TestContext, scope: TestScope, names: readonly string[]): void {
  for (const name of names) {
    // Held already: by an earlier attempt's accessor (retry), or by a fixture of the test's own, which keeps it.
    if (Object.hasOwn(ctx, name)) continue
    Object.defineProperty(ctx, name, accessorOf(name))
  }
  exposedScopes.set(ctx, scope)
}

/** Ends what `exposeLayers()` exposed: a read of a layer on the context is refused from now on, as late work of its test. */
export function concealLayers(ctx: TestContext, scope: TestScope): void {
  exposedScopes.set(ctx, scope.test.name)
}

/**
 * A read of a layer on an ended test's context, refused as the rest of the plugin refuses late
 * work: by the test whose work it is, so the run reports it even if the code that read it
 * swallows the error.
 */
function refuseEndedRead(name: string, test: string): never {
  // Work of an ended test: refused as its late work, naming it.
  scopeIfAny()
  throw refuse(
    new LateWorkError(`sqlite-fixtures: ctx.${name} of test "${test}" was used after that test ended, by work it left running or a context handed to another test.`),
  )
}
