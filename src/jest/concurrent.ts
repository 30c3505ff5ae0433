// Jest starts test.concurrent tests without running beforeEach or afterEach for them, so the
// plugin cannot open their databases from its hooks. Instead it wraps test.concurrent (and
// `it.concurrent`, the same object) when its setup file loads: each concurrent test's own
// function then opens its scope first and ends it last, in that test's async context.

import { drive, isGeneratorFunction } from './generators.js'

type TestFn = (this: unknown, ...args: unknown[]) => unknown
type Declare = (name: unknown, fn?: TestFn, ...rest: unknown[]) => unknown
type Table = (...table: unknown[]) => Declare
type Declarer = Declare & { each?: Table; only?: Declarer; failing?: Declarer; skip?: Declarer }

/** Runs `run`, a concurrent test's own function with its arguments, inside that test's scope. */
export type AroundTest = (run: () => Promise<unknown>) => Promise<unknown>

function wrapFn(fn: TestFn | undefined, around: AroundTest): TestFn | undefined {
  if (typeof fn !== 'function') return fn
  // No parameters: Jest passes a concurrent test no done callback, only `.each`'s row.
  return function (this: unknown, ...args: unknown[]) {
    // A generator body is driven here, as Jest's co would: the wrapper is a plain function.
    return around(async () => (isGeneratorFunction(fn) ? drive(fn.apply(this, args) as Generator) : fn.apply(this, args)))
  }
}

function wrapDeclarer(original: Declarer, around: AroundTest): Declarer {
  // `rest`: the timeout, and the error `.failing.each` passes to place its failure.
  const declare: Declarer = (name, fn, ...rest) => original(name, wrapFn(fn, around), ...rest)
  // `skip` runs nothing; the others declare tests that run, and are wrapped the same way.
  Object.assign(declare, original)
  const { each, only, failing } = original
  if (each) declare.each = (...table) => {
    const declareRow = each(...table)
    return (name, fn, ...rest) => declareRow(name, wrapFn(fn, around), ...rest)
  }
  if (only) declare.only = wrapDeclarer(only, around)
  if (failing) declare.failing = wrapDeclarer(failing, around)
  return declare
}

/** Wraps `test.concurrent`: called once per test file, with the hooks (Jest gives each file its own globals). */
export function wrapConcurrentTests(test: object, around: AroundTest): void {
  const holder = test as { concurrent?: Declarer }
  if (holder.concurrent) holder.concurrent = wrapDeclarer(holder.concurrent, around)
}
