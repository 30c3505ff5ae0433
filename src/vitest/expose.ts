import type { TestContext } from 'vitest'
import { LateWorkError, LayerError } from '../core/base/index.js'
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
 * The scope whose layers each test context exposes while its test runs, and `null` once it
 * has ended (its layers are refused, and it holds no scope: Vitest keeps every test's
 * context until the run ends, so a long run does not hold one per test).
 */
const exposedScopes = new WeakMap<object, TestScope | null>()

/**
 * One accessor per layer name, shared by every test's context, which finds its test's scope
 * by the context it is read on: defining the same accessor on each context makes no
 * closures, and V8 reuses the context's shape from test to test. It stays when the test
 * ends (redefining a property per test cost more than the rest of the plugin's hook).
 */
const accessors = new Map<string, PropertyDescriptor>()

/** The scope exposed on the context a layer is read on, or on the context it was made from (its prototype); `null` once its test has ended. */
function exposedScope(ctx: object): TestScope | null | undefined {
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
        return scope ? scope.get(name) : refuseEndedRead(name)
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true })
      },
    }
    accessors.set(name, accessor)
  }
  return accessor
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
export function concealLayers(ctx: TestContext): void {
  exposedScopes.set(ctx, null)
}

/**
 * A read of a layer on an ended test's context, refused as the rest of the plugin refuses late
 * work: by the test whose work it is, so the run reports it even if the code that read it
 * swallows the error.
 */
function refuseEndedRead(name: string): never {
  // Work of an ended test: refused as its late work, naming it.
  scopeIfAny()
  throw refuse(new LateWorkError(`sqlite-fixtures: ctx.${name} was used after its test ended, by work it left running or a context handed to another test.`))
}
