// Jest runs a generator test function through `co`, awaiting what it yields. The plugin wraps
// test functions (to run each attempt in its own async context, and each test.concurrent test
// in its own scope); a generator stays a generator, driven step by step where the wrapper says.

type Step = IteratorResult<unknown, unknown>
type GeneratorFn = (this: unknown, ...args: unknown[]) => Generator<unknown, unknown, unknown>

/** Whether `fn` is a generator function, which Jest drives with `co`. */
export function isGeneratorFunction(fn: unknown): fn is GeneratorFunction {
  return typeof fn === 'function' && fn.constructor.name === 'GeneratorFunction'
}

/** A generator function that runs `fn`'s body, each step inside `around` (which runs what it is given, in some context). */
export function steppedIn(fn: GeneratorFn, around: <T>(step: () => T) => T): GeneratorFn {
  return function* (this: unknown, ...args: unknown[]) {
    const body = fn.apply(this, args)
    let step: Step = around(() => body.next())
    while (!step.done) {
      let sent: unknown
      let thrown: { reason: unknown } | undefined
      try {
        sent = yield step.value
      } catch (reason) {
        thrown = { reason }
      }
      const resume = thrown
      step = around(() => (resume ? body.throw(resume.reason) : body.next(sent)))
    }
    return step.value
  }
}

/** Runs a generator's body to its end as `co` would for a test, awaiting each value it yields. */
export async function drive(body: Generator<unknown, unknown, unknown>): Promise<unknown> {
  let step = body.next()
  while (!step.done) {
    try {
      step = body.next(await step.value)
    } catch (reason) {
      step = body.throw(reason)
    }
  }
  return step.value
}
