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
 * Makes `ctx.<layer>` a getter that builds the layer on first read, so a test pays only for
 * what it touches. A fixture of Vitest's own `test.extend` may assign the same name; the
 * setter lets its value win.
 */
export function exposeLayers(ctx: TestContext, scope: TestScope, names: readonly string[]): () => void {
  const exposed: string[] = []
  for (const name of names) {
    // A fixture of the test's own holds the name; an earlier attempt's ended getter (retry) does not.
    const held = Object.getOwnPropertyDescriptor(ctx, name)
    if (held && held.get !== endedGetters.get(name)) continue
    Object.defineProperty(ctx, name, {
      configurable: true,
      enumerable: false,
      get: () => scope.get(name),
      set: (value: unknown) => {
        Object.defineProperty(ctx, name, { value, writable: true, configurable: true, enumerable: true })
      },
    })
    exposed.push(name)
  }
  // Vitest keeps every test's context until the run ends: let go of the scope, so a long
  // run does not hold one per test.
  return () => {
    for (const name of exposed) Object.defineProperty(ctx, name, { configurable: true, get: endedGetter(name) })
  }
}

const endedGetters = new Map<string, () => never>()

/**
 * One shared getter per name, so an ended test's context keeps nothing of its own alive. A
 * read is refused as the rest of the plugin refuses late work: by the test whose work it is,
 * so the run reports it even if the code that read it swallows the error.
 */
function endedGetter(name: string): () => never {
  let getter = endedGetters.get(name)
  if (!getter) {
    getter = () => {
      // Work of an ended test: refused as its late work, naming it.
      scopeIfAny()
      throw refuse(new LateWorkError(`sqlite-fixtures: ctx.${name} was used after its test ended, by work it left running or a context handed to another test.`))
    }
    endedGetters.set(name, getter)
  }
  return getter
}
