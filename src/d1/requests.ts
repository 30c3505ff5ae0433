// A request a test sends to its own worker (`exports.default.fetch`, `SELF.fetch`) is handled
// in a new request context, where the test's async context does not follow. So the setup
// file carries the test along: the loopback's `fetch` marks the request with the sending
// test, and the worker's fetch handler (the main module's, wrapped where it is defined, the
// app's code unchanged) runs for that test, with the mark taken off.
import { realmState } from '../core/base/index.js'
import { currentOwner, type Owner, runAs } from './ownership.js'
import { replaceOnce } from './replace-once.js'

const header = 'x-sqlite-fixtures-test'
// One per realm, as the handlers are wrapped once (see ownership.ts).
const sending = realmState('d1-requests', () => ({ sent: new Map<string, Owner>(), nextId: 0 }))
const { sent } = sending

type Fetch = (this: unknown, input: Request | string | URL, init?: RequestInit) => Promise<Response>
type Handler = (this: unknown, request: Request, ...rest: unknown[]) => unknown

/** The loopback's `fetch`, marking the request with the test it is sent for. */
function markingFetch(original: Fetch): Fetch {
  return function (input, init) {
    const owner = currentOwner()
    if (!owner) return original.call(this, input, init)
    const id = String(sending.nextId++)
    sent.set(id, owner)
    const request = new Request(input, init)
    request.headers.set(header, id)
    return original.call(this, request)
  }
}

/** The worker's fetch handler, run for the test that sent the request. */
function ownedHandler(original: Handler): Handler {
  return function (request, ...rest) {
    const id = request.headers.get(header)
    const owner = id === null ? undefined : sent.get(id)
    if (id === null || owner === undefined) return original.call(this, request, ...rest)
    sent.delete(id)
    const headers = new Headers(request.headers)
    headers.delete(header)
    return runAs(owner, () => original.call(this, new Request(request, { headers }), ...rest))
  }
}

/**
 * Carries each test across its requests to its own worker: `loopbacks` are the stubs the
 * tests call (`exports.default` and `SELF`), `main` the worker's main module. Where one of
 * them is missing, calls through it are checked as any call without a test.
 */
export function carryTestsAcrossRequests(loopbacks: readonly unknown[], main: Record<string, unknown> | undefined): void {
  // On the stub itself: the class's `fetch` is also every other service binding's.
  for (const stub of loopbacks) if ((typeof stub === 'object' || typeof stub === 'function') && stub !== null) replaceOnce(stub, 'fetch', (original: Fetch) => markingFetch(original))
  const handler = main?.default
  if (typeof handler === 'function') replaceOnce((handler as { prototype: object }).prototype, 'fetch', (original: Handler) => ownedHandler(original))
  else if (typeof handler === 'object' && handler !== null) replaceOnce(handler, 'fetch', (original: Handler) => ownedHandler(original))
}
