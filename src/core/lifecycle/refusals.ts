import { LateWorkError, nextTurns, realmState, throwUncaught } from '../base/index.js'

/** A refusal no running test can carry, the test file of the test or block it refused, and that test or block. */
interface Kept {
  readonly error: Error
  readonly file: string | undefined
  readonly owner: object | undefined
}

/**
 * Refusals that no running test can carry: work a test left running reached for its database
 * after the test ended, or a block's setup was used after its tests started. The runner
 * adapter fails the owner's test file with them, so the run reports them even when the code
 * that got the error swallowed it; never another file, which a worker that runs several
 * files in turn (Vitest's `isolate: false`) could otherwise be charged with.
 */
const state = realmState('refusals', () => ({
  kept: [] as Kept[],
  /** The test file running now: a worker runs one at a time. */
  file: undefined as string | undefined,
  /** Files that reported already: refusals for them are errors of the run. */
  finished: new Set<string>(),
  /** Whether the running file's tests (or its hooks) have started: its import time is over. */
  testsStarted: false,
  /** How many times a file's tests started in this realm (several files share one with Vitest's `isolate: false`). */
  filesStarted: 0,
}))

/** Marks the start of a test file: tests and blocks opened from now on belong to it. */
export function startFile(file: string): void {
  state.file = file
  state.testsStarted = false
  // Watch mode runs a file again in the same worker.
  state.finished.delete(file)
}

/** Marks the start of the running file's first hook or test: the file and its imports are loaded. */
export function startTests(): void {
  state.testsStarted = true
  state.filesStarted += 1
}

/**
 * How many times a file's tests have started in this realm: something made at import that
 * outlives its file (Vitest's `isolate: false`) tells by it that its file's set-up is over.
 */
export function filesStarted(): number {
  return state.filesStarted
}

/**
 * Whether the running file's tests have started: code that runs for no test from then on is
 * no import-time set-up, but work something left running (a timer an app module started).
 */
export function testsStarted(): boolean {
  return state.testsStarted
}

/** The test file running now, if a runner adapter said which. */
export function currentFile(): string | undefined {
  return state.file
}

/** Keeps a refusal of `owner`'s (a test or block; none for work no test owns) for the end of its test file (by default the one running now). */
export function reportAtFileEnd(error: Error, file: string | undefined = state.file, owner?: object): void {
  if (file !== undefined && state.finished.has(file)) reportAfterItsFile(error, file)
  else state.kept.push({ error, file, owner })
}

/**
 * Ends a test file: lets the work it left queued run first (immediates, due timers: an event
 * bus that handles events after the request returned), then hands out, once, the refusals
 * the file must fail with. Refusals for it that come later still are errors of the run.
 */
export async function finishFile(file: string | undefined): Promise<Error[]> {
  await nextTurns(3)
  if (file !== undefined) state.finished.add(file)
  if (state.file === file) state.file = undefined
  // The next file's imports (a worker that runs several files, Vitest's `isolate: false`) are its set-up again.
  state.testsStarted = false
  const mine = state.kept.filter((kept) => kept.file === file || kept.file === undefined)
  state.kept = state.kept.filter((kept) => !mine.includes(kept))
  return mine.map((kept) => kept.error)
}

/** Forgets a refusal of `owner`'s that it expected (`expectRefusal()`): never another's. */
export function forgetUnreported(error: unknown, owner: object): void {
  state.kept = state.kept.filter((kept) => kept.error !== error || kept.owner !== owner)
}

/** The refusals kept for the end of a file: all of them, or `owner`'s only. */
export function unreported(owner?: object): readonly Error[] {
  return state.kept.filter((kept) => owner === undefined || kept.owner === owner).map((kept) => kept.error)
}

/**
 * A refusal whose test file has reported already: no file can fail with it any more, and no
 * other file must, so it is thrown as an error of the run, naming its file.
 */
function reportAfterItsFile(error: Error, file: string): void {
  throwUncaught(
    new LateWorkError(`${error.message} It came after its test file, ${file}, had finished, so it is reported as an error of the run.`, {
      cause: error,
    }),
  )
}
