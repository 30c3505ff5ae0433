import fs from 'node:fs'
import path from 'node:path'
import { realmState, verbose } from '../base/index.js'
import { sweepWorkerDirs, workerDirsIn } from './sweep.js'
import { makeOwnDir, type RunTempDir, tempBase } from './tempdir.js'

// Loading `tmp` costs a worker ~11 ms (it loads node:crypto), in every test file whose
// databases are files. The runner's main process makes the run's private dir once, with
// `tmp`; each worker makes its own dir inside it with `mkdtemp`, which costs ~0.15 ms.

/**
 * Sweeps what crashed runs left in `tempDir`, then makes the run's private dir there (mode
 * 0700, named by `tmp` as a worker's own was: the main process's pid, then random). Where it
 * cannot be made, undefined: each worker then makes its own, as before, and says why.
 */
export function makeRunTempDir(tempDir: string | undefined): RunTempDir | undefined {
  const base = tempBase(tempDir)
  try {
    return { base, dir: makeOwnDir(tempDir, closedRuns()) }
  } catch (error) {
    verbose(`cannot make the run's private temp dir in ${base} (${(error as NodeJS.ErrnoException).code ?? String(error)}): each worker makes its own`)
    return undefined
  }
}

/** The workers' dirs each run dir held at its last run's end: what that run kept. */
const keptAtLastEnd = () => realmState('kept-at-last-end', () => new Map<string, ReadonlySet<string>>())

/**
 * At each run's end, in watch mode: removes what the run before it kept (a failed test's
 * database stays until the next run has ended) and notes what this one keeps. A worker uses
 * a dir for one test file, so those dirs' files have ended; a run started meanwhile (Vitest
 * says a rerun started before it waits for the running one) makes dirs of its own.
 */
export function sweepEarlierRuns(run: RunTempDir | undefined): void {
  if (!run) return
  const kept = keptAtLastEnd()
  try {
    const earlier = kept.get(run.dir) ?? new Set()
    sweepWorkerDirs(run.dir, (_pid, name) => earlier.has(name))
    kept.set(run.dir, new Set(workerDirsIn(run.dir)))
  } catch {
    // The run's dir is gone (a test removed it): the workers make their own.
  }
}

/**
 * The run dirs this process made whose runs have ended: a run that kept a failed test's
 * database leaves its dir, which a later run sweeps. Its pid is this live process's where the
 * runs are started through Vitest's API, one after the other in one process.
 */
const closedRuns = () => realmState('closed-runs', () => new Set<string>())

/**
 * At the run's end: removes the workers' dirs that are empty (each removes its own when its
 * file ends; one whose worker was stopped first may be left), then the run's dir if empty. A
 * dir holding a kept database stays where it was reported; the next run sweeps it.
 */
export function removeRunTempDir(run: RunTempDir | undefined): void {
  if (!run) return
  closedRuns().add(run.dir)
  const rmdir = (dir: string) => {
    try {
      fs.rmdirSync(dir)
    } catch {
      // Not empty (a kept database), or gone already: it stays.
    }
  }
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(run.dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) if (entry.isDirectory()) rmdir(path.join(run.dir, entry.name))
  rmdir(run.dir)
}
