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
 * The refusal that `error` is, or carries however an ORM wrapped it, of those `recorded`:
 * found as itself in the chain, or by its text (Prisma keeps only the text,
 * `cause.originalMessage`, and copies the refusal's code onto its own error).
 */
function refusalIn(errors: readonly Carrier[], recorded: readonly Error[]): SqliteFixturesError | undefined {
  const texts = errors.flatMap((carrier) => [carrier.message, carrier.originalMessage]).filter((text): text is string => typeof text === 'string')
  return (recorded.find((candidate) => errors.includes(candidate as unknown as Carrier)) ??
    recorded.find((candidate) => texts.some((text) => text.includes(candidate.message)))) as SqliteFixturesError | undefined
}

/**
 * The refusal `error` carries. One made for this test is acknowledged: it no longer fails the
 * test. Another error of the plugin's (one another test's work met, shared through a promise;
 * a configuration error) is returned, and stays reported where it was kept.
 */
function expected(error: unknown): SqliteFixturesError {
  const errors = chain(error)
  const own = refusalIn(errors, refusalsHere())
  if (own) {
    acknowledge(own)
    return own
  }
  const other: unknown = errors.find(isPluginError) ?? refusalIn(errors, unreported())
  if (!isPluginError(other)) throw error
  return other
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
