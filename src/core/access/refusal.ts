import { isPromiseLike, SqliteFixturesError } from '../base/index.js'
import { acknowledge, refusalsHere, unreported } from '../lifecycle/index.js'

/**
 * Whether `error` is one of the plugin's: by its code and text too, as an ESM and a CommonJS
 * copy of the package can both be loaded. (Prisma copies the code onto its own error, whose
 * text is Prisma's.)
 */
function isPluginError(error: unknown): error is SqliteFixturesError {
  const code = (error as Partial<SqliteFixturesError> | null)?.code
  return (
    error instanceof SqliteFixturesError ||
    (error instanceof Error && typeof code === 'string' && code.startsWith('SQLITE_FIXTURES') && error.message.startsWith('sqlite-fixtures:'))
  )
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

/** Every error `error` carries, itself first, breadth first. */
function chain(error: unknown): Carrier[] {
  const found: Carrier[] = []
  const queue = [error]
  while (queue.length > 0) {
    const next = queue.shift()
    if (typeof next !== 'object' || next === null || found.includes(next as Carrier)) continue
    found.push(next as Carrier)
    queue.push(...carried(next as Carrier))
  }
  return found
}

/**
 * The plugin's refusal that `error` is, or carries however an ORM wrapped it: one recorded for
 * the code running here, found as itself in the chain or by its text (Prisma keeps only the
 * text, `cause.originalMessage`, and copies the refusal's code onto its own error); else any
 * error of the plugin's in the chain (one it threw without recording, a configuration error).
 */
function pluginErrorIn(error: unknown): SqliteFixturesError | undefined {
  const errors = chain(error)
  const recorded = [...refusalsHere(), ...unreported()]
  const texts = errors.flatMap((carrier) => [carrier.message, carrier.originalMessage]).filter((text): text is string => typeof text === 'string')
  const refusal =
    recorded.find((candidate) => errors.includes(candidate as unknown as Carrier)) ??
    recorded.find((candidate) => texts.some((text) => text.includes(candidate.message)))
  return (refusal ?? errors.find(isPluginError)) as SqliteFixturesError | undefined
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
 * connection another test handed over, work after its test ended), and returns the refusal for your
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
