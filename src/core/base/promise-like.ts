/** Whether a value is a promise or thenable: what a sync-or-async callback returned. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}
