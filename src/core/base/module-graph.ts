import { createRequire } from 'node:module'
import path from 'node:path'

/**
 * What loading some modules brought in, as the loader recorded it: the project's own files,
 * and the packages (each by the package.json that names its version). Inputs of a template.
 */
export interface ModuleInputs {
  /** Absolute paths of the project files loaded (outside `node_modules`), the loaded ones themselves included. */
  readonly files: readonly string[]
  /** Absolute paths of the package.json of each package they imported from `node_modules`. */
  readonly packages: readonly string[]
}

/**
 * The module graph a runner's loader already keeps (Vite's module runner, Jest's registry,
 * Node's `require.cache`): what a template step's modules brought in, read after they loaded.
 */
export interface ModuleGraph {
  /** What the loaded modules among `paths` (files, or folders holding them) brought in, transitively. */
  inputsOf(paths: readonly string[]): ModuleInputs
  /** The files of loaded modules that export one of `values` (a layer's migration classes, say). */
  filesExporting(values: readonly unknown[]): string[]
  /** Makes the next load of these files evaluate them afresh (a rebuild in watch mode). */
  forget?(files: readonly string[]): void
}

/** One module as a loader keeps it. */
export interface LoadedModule {
  /** Its file, absolute, without a query. */
  readonly file: string
  /** The files of the modules it imported. */
  imports(): Iterable<string>
  /** Its exports (a namespace or `module.exports`), if it finished loading. */
  readonly exports: unknown
}

const nodeModules = `${path.sep}node_modules${path.sep}`

/** The package.json of the package a `node_modules` file belongs to (scoped names too). */
function packageJsonOf(file: string): string {
  const at = file.lastIndexOf(nodeModules) + nodeModules.length
  const parts = file.slice(at).split(path.sep)
  const name = parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)
  return path.join(file.slice(0, at), ...name, 'package.json')
}

function within(file: string, paths: readonly string[]): boolean {
  return paths.some((entry) => file === entry || file.startsWith(entry + path.sep))
}

/** Whether a value is among a module's exports (its namespace's or `module.exports`' own values, or the export itself). */
function exportsAny(exports: unknown, values: ReadonlySet<unknown>): boolean {
  if (values.has(exports)) return true
  if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return false
  try {
    return Object.keys(exports).some((name) => values.has((exports as Record<string, unknown>)[name]))
  } catch {
    return false // an exotic namespace that refuses enumeration
  }
}

/**
 * A `ModuleGraph` over a loader's modules, listed afresh on each question (the loader keeps
 * them; nothing is copied). Packages count by name and version, not by their files.
 */
export function moduleGraphOver(modules: () => Iterable<LoadedModule>, forget?: ModuleGraph['forget']): ModuleGraph {
  const byFile = () => {
    const map = new Map<string, LoadedModule[]>()
    for (const loaded of modules()) {
      const list = map.get(loaded.file)
      if (list) list.push(loaded)
      else map.set(loaded.file, [loaded])
    }
    return map
  }
  return {
    inputsOf(paths) {
      const all = byFile()
      const files = new Set<string>()
      const packages = new Set<string>()
      const visit = (file: string) => {
        if (file.includes(nodeModules)) return void packages.add(packageJsonOf(file))
        if (files.has(file) || !path.isAbsolute(file)) return
        files.add(file)
        for (const loaded of all.get(file) ?? []) for (const imported of loaded.imports()) visit(imported)
      }
      for (const file of all.keys()) if (within(file, paths)) visit(file)
      return { files: [...files].sort(), packages: [...packages].sort() }
    },
    filesExporting(values) {
      const wanted = new Set(values)
      const files = new Set<string>()
      for (const loaded of modules()) if (!loaded.file.includes(nodeModules) && exportsAny(loaded.exports, wanted)) files.add(loaded.file)
      return [...files].sort()
    },
    ...(forget ? { forget } : {}),
  }
}

/** Node's CommonJS modules (`require.cache`, or Jest's registry in its shape): each with the modules it required. */
export interface RequiredModule {
  readonly filename?: string
  readonly id?: string
  readonly exports?: unknown
  readonly children?: readonly RequiredModule[]
  /** The module that first required it (Node's, deprecated but kept). */
  readonly parent?: RequiredModule | null
}

function loadedModule(file: string, required: RequiredModule): LoadedModule {
  return {
    file,
    exports: required.exports,
    *imports() {
      for (const child of required.children ?? []) {
        const childFile = child.filename ?? child.id
        if (childFile !== undefined) yield childFile
      }
    },
  }
}

/** A module's parent, where Node tells it (only a getter, which `--pending-deprecation` warns of). */
function parentOf(required: RequiredModule): RequiredModule | undefined {
  try {
    return required.parent ?? undefined
  } catch {
    return undefined
  }
}

/**
 * The `LoadedModule`s of a `require.cache`-shaped registry. A file whose `require` came from
 * `createRequire(file)` (how Vite's module runner gives a CommonJS file it evaluates one) is
 * not in the registry itself: what it required is found by their parent, a module of its own.
 */
export function* requiredModules(cache: Readonly<Record<string, RequiredModule | undefined>>): Iterable<LoadedModule> {
  const outside = new Map<RequiredModule, string>()
  for (const [key, loaded] of Object.entries(cache)) {
    if (!loaded) continue
    const file = loaded.filename ?? loaded.id ?? key
    yield loadedModule(file, loaded)
    const parent = parentOf(loaded)
    const parentFile = parent?.filename
    if (parent && typeof parentFile === 'string' && path.isAbsolute(parentFile) && cache[parentFile] !== parent) outside.set(parent, parentFile)
  }
  for (const [parent, file] of outside) yield loadedModule(file, { children: parent.children })
}

/** Node's own `require.cache` (`Module._cache`) in this process. */
const nodeRequireCache = () => createRequire(import.meta.url).cache as Record<string, RequiredModule | undefined>

/**
 * The modules Node's own `require` loaded in this process (under Jest, its registry: Jest hands
 * the code it runs its own `node:module`). Vite's module runner evaluates a CommonJS file (a
 * `.cjs` migration) with a `require` of Node's: its graph has the file, but what the file
 * required is only here.
 */
export function nodeRequiredModules(): Iterable<LoadedModule> {
  return requiredModules(nodeRequireCache())
}

/** Makes Node's `require` load these project files afresh (a rebuild after an edit); packages stay. */
export function forgetNodeRequired(files: readonly string[]): void {
  const cache = nodeRequireCache()
  for (const file of files) if (!file.includes(nodeModules)) delete cache[file]
}

let runnerGraph: ModuleGraph | undefined

/** Set by a runner adapter in a worker: the module graph of the loader that runs test code there. */
export function useRunnerModuleGraph(graph: ModuleGraph): void {
  runnerGraph = graph
}

/** The module graph of the loader that runs test code in this process, where a runner adapter set one. */
export function runnerModuleGraph(): ModuleGraph | undefined {
  return runnerGraph
}
