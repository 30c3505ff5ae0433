/**
 * Refusals that no running test can carry: work a test left running reached for its database
 * after the test ended, or a block's setup was used after its tests started. The runner
 * adapter fails the test file with them, so the run reports them even when the code that got
 * the error swallowed it.
 */
const unreported: Error[] = []

/** Keeps a refusal for the end of the test file. */
export function reportAtFileEnd(error: Error): void {
  unreported.push(error)
}

/** The refusals kept for the end of the file, handed out once. */
export function takeUnreported(): Error[] {
  return unreported.splice(0)
}

/** Forgets a refusal a test expected (`expectRefusal()`). */
export function forgetUnreported(error: unknown): void {
  const index = unreported.indexOf(error as Error)
  if (index !== -1) unreported.splice(index, 1)
}
