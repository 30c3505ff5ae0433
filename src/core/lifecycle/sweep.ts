import fs from 'node:fs'
import path from 'node:path'
import { isAlive, verbose } from '../base/index.js'

/** `tmp` names our dirs sqlite-fixtures-<pid>-<12 random chars>; nothing else matches. */
const ownDir = /^sqlite-fixtures-(\d+)-[A-Za-z0-9]{12}$/
/** A worker's dir inside a run's dir (see run-dir.ts): <pid>-<6 random chars>, by `mkdtemp`. */
const workerDir = /^(\d+)-[A-Za-z0-9]{6}$/
/** The only files we put in them: numbered databases and their journals. */
const ownFile = /^\d+\.sqlite(-journal|-wal|-shm)?$/

/** Removes the files named as ours in `dir`, then `dir`; throws where anything else is left. */
function removeOwnFiles(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && ownFile.test(entry.name)) fs.rmSync(path.join(dir, entry.name))
  }
  fs.rmdirSync(dir)
}

/** The names of the dirs of the workers of the run whose dir is `runDir`. */
export function workerDirsIn(runDir: string): string[] {
  return fs
    .readdirSync(runDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && workerDir.test(entry.name))
    .map((entry) => entry.name)
}

/**
 * Removes the dirs of the workers of the run whose dir is `runDir`, with the files named as
 * ours in them, where `done(pid, name)` says their use is over. A dir holding anything else stays.
 */
export function sweepWorkerDirs(runDir: string, done: (pid: number, name: string) => boolean): void {
  for (const entry of fs.readdirSync(runDir, { withFileTypes: true })) {
    const worker = workerDir.exec(entry.name)
    if (!worker || !entry.isDirectory() || !done(Number(worker[1]), entry.name)) continue
    try {
      removeOwnFiles(path.join(runDir, entry.name))
    } catch {
      // Something not ours in it: it stays; the other workers' go.
    }
  }
}

/**
 * Removes `dir`, the dir of process `pid` (a worker's own, or a run's), with what is ours in
 * it: its files, and the dirs of its run's workers that are gone (a worker of the run's own
 * process, a thread, went with the run). Throws where anything else is left.
 */
function removeOwn(dir: string, pid: number): void {
  sweepWorkerDirs(dir, (workerPid) => workerPid === pid || !isAlive(workerPid))
  removeOwnFiles(dir)
}

/**
 * Removes what crashed processes left in the temp dir: only dirs named as ours, owned by
 * this user, whose process is gone (a worker's own, or a run's main process's, with the dirs
 * of its workers that are gone too) or whose run this process has closed (`closedRuns`: a
 * run's dir outlives its run where it keeps a failed test's database), and inside them only
 * files named as ours (never following a symlink). Anything else found keeps its dir in place.
 */
export function sweepLeftovers(base: string = process.getBuiltinModule('node:os').tmpdir(), closedRuns: ReadonlySet<string> = new Set()): void {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(base, { withFileTypes: true })
  } catch {
    return
  }
  const uid = process.getuid?.()
  for (const entry of entries) {
    const match = ownDir.exec(entry.name)
    if (!match || !entry.isDirectory()) continue
    const dir = path.join(base, entry.name)
    const pid = Number(match[1])
    if (isAlive(pid) && !closedRuns.has(dir)) continue
    try {
      const stat = fs.lstatSync(dir)
      if (uid !== undefined && stat.uid !== uid) continue
      removeOwn(dir, pid)
      verbose(`swept leftovers of ${closedRuns.has(dir) ? 'an ended run' : `crashed process ${pid}`}: ${dir}`)
    } catch {
      // Not empty (a file that is not ours, a live worker's dir) or already gone: leave it.
    }
  }
}
