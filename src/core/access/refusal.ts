import { isPromiseLike, SqliteFixturesError } from '../base/index.js'
import { acknowledge, refusalsHere, unreported } from '../lifecycle/index.js'

/** Whether `error` is one of the plugin's: by its code too, as an ESM and a CommonJS copy of the package can both be loaded. */
function isPluginError(error: unknown): error is SqliteFixturesError {
  const code = (error as Partial<SqliteFixturesError> | null)?.code
  return error instanceof SqliteFixturesError || (error instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_FIXTURES'))
}

type Carrier = Record<string, unknown>

/**
 * Where an error carries another: its `cause` chain, an `AggregateError`'s errors, TypeORM's
 * `QueryFailedError.driverError`, and Prisma's `PrismaClientKnownRequestError` (P2039), which
 * keeps the adapter's error under `meta.driverAdapterError`.
 */
function carried(error: Carrier): unknown[] {
  const meta = error.meta as Carrier | undefined
  return [error.cause, error.driverError, meta?.driverAdapterError, ...(Array.isArray(error.errors) ? error.errors : [])]
}

/**
 * The plugin's error that `error` is, or carries however an ORM wrapped it. Prisma keeps only
 * the refusal's text (`cause.originalMessage`), so a message is matched against the refusals
 * recorded for the code running here.
 */
function pluginErrorIn(error: unknown): SqliteFixturesError | undefined {
  const messages: string[] = []
  const seen = new Set<unknown>()
  const queue = [error]
  while (queue.length > 0) {
    const next = queue.shift()
    if (typeof next !== 'object' || next === null || seen.has(next)) continue
    seen.add(next)
    if (isPluginError(next)) return next
    const fields = next as Carrier
    for (const text of [fields.message, fields.originalMessage]) if (typeof text === 'string') messages.push(text)
    queue.push(...carried(fields))
  }
  const recorded = [...refusalsHere(), ...unreported()]
  return recorded.find((refusal) => messages.some((text) => text.includes(refusal.message))) as SqliteFixturesError | undefined
}

function expected(error: unknown): SqliteFixturesError {
  const refusal = pluginErrorIn(error)
  if (refusal === undefined) throw error
  acknowledge(refusal)
  return refusal
}

function notRefused(): never {
  throw new Error('sqlite-fixtures: expectRefusal(): the plugin refused nothing: the call returned.')
}

/**
 * Runs `fn`, expecting the plugin to refuse it (a `no-db` test reaching for a database, a
 * statement of another test, work after its test ended), and returns the refusal for your
 * assertions. A refusal caught any other way (`rejects.toThrow()`, a try/catch) still fails the
 * test, so a test cannot pass on the plugin's own error by accident: this is how a test says
 * it means to. The refusal is found however an ORM wrapped it (its `cause` chain, TypeORM's
 * `QueryFailedError`, Drizzle's `DrizzleQueryError`, Prisma's P2039 error). Any other error,
 * or none, fails.
 *
 * ```ts
 * test('pure', { tags: ['no-db'] }, async () => {
 *   expect(expectRefusal(() => currentDb()).message).toMatch(/has no database/)
 *   const refusal = await expectRefusal(() => prisma.customer.count())
 *   expect(refusal.message).toMatch(/has no database/)
 * })
 * ```
 */
export function expectRefusal(fn: () => PromiseLike<unknown>): Promise<SqliteFixturesError>
export function expectRefusal(fn: () => unknown): SqliteFixturesError
export function expectRefusal(fn: () => unknown): SqliteFixturesError | Promise<SqliteFixturesError> {
  let result: unknown
  try {
    result = fn()
  } catch (error) {
    return expected(error)
  }
  if (!isPromiseLike(result)) return notRefused()
  return Promise.resolve(result).then(notRefused, expected)
}
