import fs from 'node:fs'
import path from 'node:path'
import { verbose, wallClock } from '../base/index.js'

/**
 * The stat fast path. After a template is found or built, the cache keeps a small manifest
 * beside it: what the template was described by (the options, without reading a file), the
 * files and folders it was read from with their stats, and its key. A later run with the same
 * description whose inputs all stat the same uses the template without reading, hashing or
 * checksumming anything; any difference falls back to reading and hashing, which writes the
 * manifest anew. The idea is git's index: trust unchanged stats, distrust "racy" ones.
 */

/** A file or folder a template was read from, as it was when it was read. */
interface InputStat {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
  readonly ctimeMs: number
  readonly ino: number
}

interface ManifestData {
  readonly description: string
  readonly key: string
  readonly file: string
  /** The template file's stats: a file replaced, rewritten or pruned is not the one recorded. */
  readonly template: { readonly size: number; readonly ino: number; readonly mtimeMs: number }
  /** The steps' names, for the build command's report. */
  readonly steps: readonly string[]
  /** The project files the steps' modules brought in (their stats are among `inputs`). */
  readonly modules: readonly string[]
  /** Why better-sqlite3 cannot read the template, where libSQL built it with a feature of its own. */
  readonly libsqlOnly?: string | undefined
  readonly inputs: readonly InputStat[]
  /** When the inputs were statted: one changed within the file system's time granularity of it cannot be told from unchanged. */
  readonly statted: number
}

/** What a valid manifest vouches for. */
export interface KnownTemplate {
  readonly key: string
  readonly file: string
  readonly steps: readonly string[]
  readonly modules: readonly string[]
  readonly libsqlOnly?: string | undefined
}

/** The stats of a template's inputs, taken before they were read. */
export interface InputStats {
  readonly inputs: readonly InputStat[]
  readonly statted: number
}

/** Inputs modified this close to the stat are "racy": the next run re-hashes them (2 s covers FAT and HFS+ times). */
const racyMs = 2_000
/** How many manifests the cache keeps: one per description (branch, project) in use. */
const keptManifests = 50
const manifestName = /^inputs-[0-9a-f]{14}\.json$/
const skippedFolders = new Set(['node_modules', '.git'])

/** A 53-bit string hash (cyrb53): names a manifest without loading node:crypto, which costs ~15 ms. */
function shortHash(text: string): string {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ char, 2654435761)
    h2 = Math.imul(h2 ^ char, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0')
}

const manifestFile = (cacheDir: string, description: string) => path.join(cacheDir, `inputs-${shortHash(description)}.json`)

function inputStat(file: string, stat: fs.Stats): InputStat {
  return { path: file, size: stat.isDirectory() ? 0 : stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino }
}

function statOf(file: string): InputStat | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false })
  return stat && inputStat(file, stat)
}

/**
 * The stats of `paths` and, for folders, of everything inside them (a folder's own mtime
 * changes when an entry is added, removed or renamed). Taken before the inputs are read, so
 * a file changed while being read differs on the next run.
 */
export function statInputs(paths: readonly string[]): InputStats {
  const statted = wallClock()
  const inputs: InputStat[] = []
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const stat = fs.statSync(file, { throwIfNoEntry: false })
    if (!stat) return
    inputs.push(inputStat(file, stat))
    if (!stat.isDirectory()) return
    for (const entry of fs.readdirSync(file, { withFileTypes: true })) {
      if (!(entry.isDirectory() && skippedFolders.has(entry.name))) visit(path.join(file, entry.name))
    }
  }
  for (const file of paths) visit(file)
  return { inputs, statted }
}

function unchanged(recorded: InputStat, statted: number): boolean {
  const now = statOf(recorded.path)
  return (
    now !== undefined &&
    recorded.mtimeMs < statted - racyMs &&
    now.size === recorded.size &&
    now.mtimeMs === recorded.mtimeMs &&
    now.ctimeMs === recorded.ctimeMs &&
    now.ino === recorded.ino
  )
}

function read(file: string): ManifestData | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ManifestData
  } catch {
    return undefined // none yet, or written by another version: the slow path writes it anew
  }
}

/**
 * The template a manifest vouches for, when its description matches and nothing it was read
 * from changed, with the stats to record it again by (after touching it, say).
 */
export function knownTemplate(cacheDir: string, description: string): { known: KnownTemplate; stats: InputStats } | undefined {
  const manifest = read(manifestFile(cacheDir, description))
  if (manifest?.description !== description) return undefined
  const template = fs.statSync(manifest.file, { throwIfNoEntry: false })
  const recorded = manifest.template
  if (template?.size !== recorded.size || template.ino !== recorded.ino || template.mtimeMs !== recorded.mtimeMs) return undefined
  // A folder's own stats change when an entry appears in it, goes or is renamed.
  if (!manifest.inputs.every((input) => unchanged(input, manifest.statted))) return undefined
  const known = { key: manifest.key, file: manifest.file, steps: manifest.steps, modules: manifest.modules, libsqlOnly: manifest.libsqlOnly }
  return { known, stats: { inputs: manifest.inputs, statted: manifest.statted } }
}

/** Records what a template was built from, for the next run's fast path; written atomically. */
export function recordTemplate(
  cacheDir: string,
  description: string,
  known: KnownTemplate,
  stats: InputStats,
): void {
  const template = fs.statSync(known.file, { throwIfNoEntry: false })
  if (!template) return
  const data: ManifestData = { description, ...known, template: { size: template.size, ino: template.ino, mtimeMs: template.mtimeMs }, ...stats }
  const file = manifestFile(cacheDir, description)
  const temp = `${file}.${process.pid}.${shortHash(`${wallClock()}${Math.random()}`)}.tmp`
  try {
    fs.writeFileSync(temp, JSON.stringify(data), { mode: 0o600 })
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    verbose(`could not write the template manifest ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Removes all but the `kept` most recently written files of the cache dir whose names match `name`. */
export function keepNewest(cacheDir: string, name: RegExp, kept: number): void {
  const files = fs
    .readdirSync(cacheDir)
    .filter((file) => name.test(file))
    .map((file) => ({ file: path.join(cacheDir, file), written: fs.statSync(path.join(cacheDir, file), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.written - a.written)
  for (const { file } of files.slice(kept)) fs.rmSync(file, { force: true })
}

/** Removes all but the most recently written manifests. */
export function pruneManifests(cacheDir: string): void {
  keepNewest(cacheDir, manifestName, keptManifests)
}
