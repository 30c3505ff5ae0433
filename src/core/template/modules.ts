import fs from 'node:fs'
import path from 'node:path'
import { type ModuleInputs, verbose, wallClock } from '../base/index.js'
import { keepNewest } from './manifest.js'

/**
 * The modules a build loaded, as the loader's module graph recorded them (a seed module and
 * what it imports, TypeScript migrations and theirs). Their contents shape the template as
 * much as the steps' own files do, but they are known only once the modules have loaded; and
 * a cached template must be found without loading them (no transform on a cache hit). So
 * each build records them beside the templates, under the key of its steps
 * (`modules-<key>.json`), and a later run finds the template by that key and the digest of
 * what the recorded files hold now: a changed import gives another digest, so a rebuild.
 */

/** One recorded graph: the files and packages, and the digest of their contents when it was built. */
interface RecordedGraph extends ModuleInputs {
  readonly digest: string
}

interface ModulesRecord {
  readonly graphs: readonly RecordedGraph[]
}

/** Graphs kept per key: a branch switch back finds its template without a rebuild. */
const keptGraphs = 8
/** Records kept in the cache (one per steps' key), as many as manifests. */
const keptRecords = 50
const recordName = /^modules-[0-9a-f]{32}\.json$/

const recordFile = (cacheDir: string, stepsKey: string) => path.join(cacheDir, `modules-${stepsKey}.json`)

export const noModules: ModuleInputs = { files: [], packages: [] }

/** A package's name and version, from its package.json; `undefined` when it is gone. */
function packageId(packageJson: string): string | undefined {
  try {
    const { name, version } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { name?: string; version?: string }
    return `${name ?? path.basename(path.dirname(packageJson))}@${version ?? ''}`
  } catch {
    return undefined
  }
}

/**
 * The digest of what the graph's files and packages hold now, or `undefined` when one of
 * them is gone. Files are named relative to `rootDir`, so a cache restored into another
 * checkout still matches.
 */
function digestOf(inputs: ModuleInputs, rootDir: string): string | undefined {
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256')
  for (const file of inputs.files) {
    let text: Buffer
    try {
      text = fs.readFileSync(file)
    } catch {
      return undefined
    }
    const name = path.relative(rootDir, file).split(path.sep).join('/')
    hash.update(`file ${name.length}:${name}\n${text.length}:`).update(text)
  }
  for (const packageJson of inputs.packages) {
    const id = packageId(packageJson)
    if (id === undefined) return undefined
    hash.update(`package ${id}\n`)
  }
  return hash.digest('hex').slice(0, 32)
}

function read(cacheDir: string, stepsKey: string): ModulesRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(recordFile(cacheDir, stepsKey), 'utf8')) as ModulesRecord
    return Array.isArray(record.graphs) ? record : undefined
  } catch {
    return undefined // none yet: the build records one
  }
}

/**
 * The recorded graph of these steps whose files hold what they held at its build, with its
 * digest. `beforeRead` sees each graph before its files are read (to stat them first).
 */
export function knownGraph(cacheDir: string, stepsKey: string, rootDir: string, beforeRead: (inputs: ModuleInputs) => void): RecordedGraph | undefined {
  return read(cacheDir, stepsKey)?.graphs.find((graph) => {
    beforeRead(graph)
    return digestOf(graph, rootDir) === graph.digest
  })
}

/** Whether a file of the graph was written after `since` (wall clock): the build may have loaded either version. */
function changedSince(inputs: ModuleInputs, since: number): boolean {
  return inputs.files.some((file) => (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) >= since)
}

/**
 * Records the graph a build (started at `started`, wall clock) loaded and returns its
 * digest; `undefined` when it cannot be vouched for (a file changed or went during the
 * build): nothing is recorded then, so the next run builds again.
 */
export function recordGraph(cacheDir: string, stepsKey: string, inputs: ModuleInputs, rootDir: string, started: number): string | undefined {
  if (changedSince(inputs, started)) return undefined
  const digest = digestOf(inputs, rootDir)
  if (digest === undefined) return undefined
  const others = (read(cacheDir, stepsKey)?.graphs ?? []).filter((graph) => graph.digest !== digest)
  const record: ModulesRecord = { graphs: [{ ...inputs, digest }, ...others].slice(0, keptGraphs) }
  const file = recordFile(cacheDir, stepsKey)
  const temp = `${file}.${process.pid}.${wallClock()}.tmp`
  try {
    fs.writeFileSync(temp, JSON.stringify(record), { mode: 0o600 })
    fs.renameSync(temp, file)
  } catch (error) {
    fs.rmSync(temp, { force: true })
    verbose(`could not record the modules of a template build in ${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return digest
}

/** Removes all but the most recently written records. */
export function pruneRecords(cacheDir: string): void {
  keepNewest(cacheDir, recordName, keptRecords)
}
