import { runAs, scopeIfAny, type TestScope } from '../core/lifecycle/index.js'

/**
 * The request batcher inside a PrismaClient (`client._requestHandler.dataloader`, internal,
 * the same in 7.0 to 7.10): requests made in one tick that share a batch key (`findUnique`
 * on one model, the queries of one transaction, a `$transaction([...])`) are gathered and
 * sent together from a `process.nextTick` scheduled by the first of them.
 */
interface RequestBatcher {
  options: {
    batchBy(request: object): string | undefined
    singleLoader(request: object): Promise<unknown>
    batchLoader(requests: object[]): Promise<unknown>
  }
}

const kept = new WeakSet<RequestBatcher>()

function batcherOf(client: object): RequestBatcher | undefined {
  const handler = (client as { _requestHandler?: { dataloader?: Partial<RequestBatcher> } })._requestHandler
  const options = handler?.dataloader?.options
  const usable =
    typeof options?.batchBy === 'function' && typeof options.singleLoader === 'function' && typeof options.batchLoader === 'function'
  return usable ? (handler?.dataloader as RequestBatcher) : undefined
}

/**
 * Keeps each test's requests in batches of their own, sent from that test's async context.
 * Without this, two `test.concurrent` tests calling `findUnique` in the same tick share one
 * batch (one SQL query, on the first test's database), and every batch is sent from the
 * first requester's context. Batching itself is kept: requests of one test still batch
 * together as in production. Returns false when the client has no batcher where expected.
 */
export function keepBatchesPerTest(client: object): boolean {
  const batcher = batcherOf(client)
  if (!batcher) return false
  if (kept.has(batcher)) return true
  kept.add(batcher)
  const { batchBy, singleLoader, batchLoader } = batcher.options
  const owners = new WeakMap<object, TestScope>()
  const inOwnerScope = <T>(request: object | undefined, send: () => T): T => {
    const owner = request && owners.get(request)
    return owner ? runAs(owner, send) : send()
  }
  const { options } = batcher
  options.batchBy = (request) => {
    const key = batchBy.call(options, request)
    // No key: the request is sent at once, from its caller's context.
    if (!key) return key
    const scope = scopeIfAny()
    if (!scope) return key
    owners.set(request, scope)
    return `${key} (sqlite-fixtures test ${scope.test.id})`
  }
  options.singleLoader = (request) => inOwnerScope(request, () => singleLoader.call(options, request))
  options.batchLoader = (requests) => inOwnerScope(requests[0], () => batchLoader.call(options, requests))
  return true
}
