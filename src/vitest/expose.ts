import type { TestContext } from 'vitest'
import type { TestScope } from '../core/scope.js'

/** Names Vitest's context already uses; a layer may not hide them. */
export const reservedContextNames = new Set(['task', 'signal', 'onTestFailed', 'onTestFinished', 'skip', 'annotate', 'expect'])

/**
 * Makes `ctx.<layer>` a getter that builds the layer on first read, so a test pays only for
 * what it touches. A fixture of Vitest's own `test.extend` may assign the same name; the
 * setter lets its value win.
 */
export function exposeLayers(ctx: TestContext, scope: TestScope, names: readonly string[]): void {
  for (const name of names) {
    if (reservedContextNames.has(name) || Object.prototype.hasOwnProperty.call(ctx, name)) continue
    Object.defineProperty(ctx, name, {
      configurable: true,
      enumerable: false,
      get: () => scope.get(name),
      set: (value: unknown) => {
        Object.defineProperty(ctx, name, { value, writable: true, configurable: true, enumerable: true })
      },
    })
  }
}
