/**
 * State that every copy of this package loaded in one JavaScript realm shares: the ESM and
 * the CommonJS build loaded side by side, and the fresh copies a module reset makes
 * (`jest.resetModules()`, `jest.isolateModules()`, `vi.resetModules()`). A fresh copy must
 * still see the running test, its refusals and its database, so the state lives on a global
 * symbol, as the runners keep theirs. Per realm: each Jest test file, and each Vitest worker,
 * has its own.
 */
export function realmState<T extends object>(name: string, create: () => T): T {
  // The version names the state's shape: another version of the package keeps its own.
  const key = Symbol.for(`sqlite-fixtures.v1.${name}`)
  const holder = globalThis as Record<symbol, unknown>
  if (!Object.prototype.hasOwnProperty.call(holder, key)) {
    // Not enumerable: it is not one of the globals a runner or a leak check lists.
    Object.defineProperty(holder, key, { value: create(), configurable: true })
  }
  return holder[key] as T
}
