// Wrapping the runtime's own methods, once per realm: D1's classes and the worker's fetch handler
// are shared by every test file a worker runs, and a second wrapper would check every call twice.

/** Replaces `holder[name]`, a method, with `wrapper(original)`, unless it is not one or was replaced already. */
export function replaceOnce<F extends (this: never, ...args: never[]) => unknown>(holder: object, name: string, wrapper: (original: F) => F): void {
  const methods = holder as Record<string, unknown>
  const original = methods[name]
  if (typeof original !== 'function' || (original as { wrapped?: true }).wrapped) return
  const wrapped = wrapper(original as F)
  Object.defineProperty(wrapped, 'wrapped', { value: true })
  methods[name] = wrapped
}
