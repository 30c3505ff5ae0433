import path from 'node:path'
import type { Block, BlockHost } from './block.js'
import { loadDriver, snapshot } from '../driver/index.js'
import { defaultPragmas, fileClone, libsqlOnlyClone, memoryClone, type Clone, type CloneSource } from './clone.js'
import { dbLayer } from './db-layer.js'
import { fileClonesRequested, requestedFilePragmas } from './file-clones.js'
import {
  type AnyLayer,
  deprecated,
  importProjectModule,
  type LayerTestInfo,
  type MigrationSet,
  migrationSetId,
  type MigrationSteps,
  type ResolvedOptions,
  runnerModuleGraph,
  SqliteFixturesConfigError,
  SqliteFixturesError,
  type Template,
  type TemplateStep,
} from '../base/index.js'
import { handoffUse, type HandoffUse, receiveTemplate, type TemplateHandoff, templateInputs, uniqueSets } from '../template/index.js'
import { LayerGraph } from './layers.js'
import { SavepointLease } from './savepoint.js'
import { TestScope } from './scope.js'
import { attachLog, newStatementLog } from '../diagnostics/index.js'
import { loadTmp, type RunTempDir, TempDir } from './tempdir.js'

// Building a template is loaded on first need, not imported: a worker that uses the template
// the main process built never builds one, and a test file pays for the code it loads.
const building = () => import('../template/template.js')

/**
 * Migrations that only a worker applies (a layer's, or a setup file's options') cost every
 * test file a look at the template before its first test, and the build command cannot build
 * them: the main process should, from the plugin's options. Said once per run.
 */
function noteWorkerMigrations(set: MigrationSet, rootDir: string): void {
  const folder = path.relative(rootDir, set.folder) || '.'
  const orm = set.orm.charAt(0).toUpperCase() + set.orm.slice(1)
  const { call, option } = set.madeBy ?? { call: `${set.orm}Migrations`, option: 'folder' }
  deprecated(
    `worker migrations ${migrationSetId(set)}`,
    `sqlite-fixtures: the ${orm} migrations in ${folder} are applied in the test workers, where a setup file gave them ` +
      '(to a layer, or to configureSqliteFixtures()): every test file checks them before its first test, and ' +
      '`npx sqlite-fixtures build` cannot build them. Give them to the plugin as well, ' +
      `sqliteFixtures({ migrations: [${call}({ ${option}: '${folder}' })] }) (Jest: globalSetup({ migrations: [...] })): ` +
      'the main process then applies them once per run, before any worker starts, and a layer given the same folder applies nothing ' +
      '(5-6% faster on the real suites we ported).',
  )
}

let testCounter = 0
/**
 * Tells this module's copy (one per worker thread) from the others of the process, for
 * test ids. Not node:worker_threads' threadId: loading that module costs ~12 ms per file.
 */
const instance = Math.random().toString(36).slice(2, 8)

/** Which block a scope's databases come from: a test in the block, or the block's own setup. */
interface BlockEntry {
  readonly block: Block
  readonly setup: boolean
}

/**
 * The block a test (or a block's setup) runs in, kept on its test info for when its database
 * is made: a WeakMap entry per test cost every test ~0.5-1 us (its key dies with the test).
 * Not enumerable: layers get the info, and a spread, `toEqual()` or a log of it shows only
 * its name, id and failed.
 */
const blockEntry = Symbol('sqlite-fixtures block')

/** A test's info as the runtime keeps it: with its block, if it runs in one. */
type InBlock = LayerTestInfo & { [blockEntry]?: BlockEntry }

function placeInBlock(test: LayerTestInfo, entry: BlockEntry): void {
  Object.defineProperty(test, blockEntry, { value: entry })
}

/** Where no runner adapter said how to apply ORM migrations (unit tests of the core). */
const noMigrationSteps: MigrationSteps = async (set) => {
  throw new SqliteFixturesConfigError(`sqlite-fixtures: no ORM migrator is known here for the "${set.orm}" migrations in ${set.folder}.`)
}

/**
 * Everything one test file (or worker) needs to hand out per-test databases: the options,
 * the template (loaded once), the private temp dir, and the layer graph. Runner adapters
 * create one, call `prepare()` before the tests when `needsPrepare` says so, `openScope()`
 * per test, `close()` after.
 */
export class FixtureRuntime implements BlockHost {
  readonly options: ResolvedOptions
  readonly graph: LayerGraph
  /**
   * Whether `prepare()` must run before the first database: a layer prepares, or the
   * template is not the handed-over one as it is (no main process handed one over, or this
   * worker's options or layers add to it). Otherwise the handed-over template is read on
   * first use, and a test file that never touches a database costs nothing.
   */
  readonly needsPrepare: boolean
  readonly #tempDir: TempDir
  readonly #pragmas: ResolvedOptions['pragmas']
  /** A file clone's pragmas in memory mode, when a driver asked for files (see `requestFileClones`). */
  readonly #filePragmas: ResolvedOptions['pragmas']
  readonly #handoff: TemplateHandoff | undefined
  /** How the handed-over template serves these options, if it does. */
  readonly #use: HandoffUse | undefined
  /** The migration sets of the options and the layers, each once. */
  readonly #sets: readonly MigrationSet[]
  readonly #migrationSteps: MigrationSteps
  /** Isolation 'savepoint': one kept connection per template (the base, or a block's derived one). */
  readonly #leases = new Map<Template | Buffer, SavepointLease>()
  #template: Promise<Template> | undefined
  #loaded: Template | undefined
  /** Why `prepare()` failed, for every later use of a database to report. */
  #failure: unknown
  #templateFiles: string[] = []
  #wanted = 0

  /**
   * `migrationSteps` is how this process applies the ORM migration sets it must build
   * itself (the runner adapters pass the one that knows every ORM layer of the package);
   * `runTempDir` the run's private temp dir, which the main process made, if it did.
   */
  constructor(
    options: ResolvedOptions,
    builtInLayers: readonly AnyLayer[] = [],
    handoff?: TemplateHandoff,
    migrationSteps: MigrationSteps = noMigrationSteps,
    runTempDir?: RunTempDir,
  ) {
    this.options = options
    this.#tempDir = new TempDir(options.tempDir, runTempDir)
    this.#pragmas = { ...defaultPragmas(options.mode), ...options.pragmas }
    this.#filePragmas = { ...requestedFilePragmas, ...options.pragmas }
    const db = dbLayer((test) => this.#clone(test), options)
    this.graph = new LayerGraph([db, ...builtInLayers, ...options.layers])
    const layers = this.graph.names.map((name) => this.graph.get(name))
    // A layer's folder is relative to the project's root, as the options' folders are.
    const layerSets = layers.flatMap((layer) => (layer.migrations ? [{ ...layer.migrations, folder: path.resolve(options.rootDir, layer.migrations.folder) }] : []))
    this.#sets = uniqueSets([...options.migrations, ...layerSets])
    const layerSteps = layers.some((layer) => layer.templateSteps !== undefined)
    this.#handoff = handoff
    this.#use = handoffUse(handoff, templateInputs(options, this.#sets), layerSteps)
    this.#migrationSteps = migrationSteps
    this.needsPrepare = this.#use !== 'as-is' || layers.some((layer) => layer.prepare !== undefined)
  }

  /** The layers' own template steps, in graph order; the files they read join `templateFiles`. */
  async #layerSteps(): Promise<TemplateStep[]> {
    const steps: TemplateStep[] = []
    const context = { rootDir: this.options.rootDir }
    for (const name of this.graph.names) steps.push(...((await this.graph.get(name).templateSteps?.(context)) ?? []))
    this.#templateFiles.push(...steps.flatMap((step) => step.files ?? []))
    return steps
  }

  /**
   * How many databases this runtime's tests and blocks asked for, made or not (the template
   * could fail to build): a runner adapter tells which test files use one.
   */
  get databasesOpened(): number {
    return this.#wanted
  }

  /**
   * The files and folders this worker built its template from (known after `prepare()`): its
   * own options' schema and seed, migrations the handed-over template lacks, the files its
   * layers' steps read. Watch mode reruns on them.
   */
  get templateFiles(): readonly string[] {
    return this.#templateFiles
  }

  /** Runs `prepare()` when this runtime needs it before its first database (see `needsPrepare`). */
  async prepareIfNeeded(): Promise<void> {
    if (this.needsPrepare) await this.prepare()
  }

  /** Whether a test must await `prepareIfNeeded()`: the runtime needs preparing and is not prepared yet (or failed to be). */
  get preparePending(): boolean {
    return this.needsPrepare && this.#loaded === undefined
  }

  /**
   * Prepares the layers, then loads the template, once; every later call returns the same
   * promise. Layers prepare first, so their template steps can use what they prepared (an
   * ORM's metadata, say). This worker's own steps go on top of the handed-over template when
   * it holds their start (schema and migrations, no seed), else the worker builds the whole.
   */
  prepare(): Promise<Template> {
    this.#template ??= this.#load().catch((error: unknown) => {
      this.#failure = error
      throw error
    })
    return this.#template
  }

  async #load(): Promise<Template> {
    for (const name of this.graph.names) await this.graph.get(name).prepare?.()
    const handoff = this.#handoff
    if (this.#use === 'as-is' && handoff) return (this.#loaded = receiveTemplate(handoff))
    const base = this.#use === 'base' && handoff ? receiveTemplate(handoff) : undefined
    const sets = this.#sets.slice(base && handoff ? handoff.inputs.migrations.length : 0)
    const handedOver = new Set(handoff?.inputs.migrations)
    for (const set of sets.filter((set) => !handedOver.has(migrationSetId(set)))) noteWorkerMigrations(set, this.options.rootDir)
    const steps = this.graph.names.some((name) => this.graph.get(name).templateSteps) ? () => this.#layerSteps() : undefined
    const { loadTemplate, templateRecipe } = await building()
    const recipe = templateRecipe(
      this.options,
      { schema: base === undefined, sets, layerSteps: steps, base },
      { stepsOf: this.#migrationSteps, importModule: importProjectModule, modules: runnerModuleGraph() },
    )
    this.#templateFiles = [...recipe.paths]
    const loaded = await loadTemplate(recipe, this.options)
    this.#templateFiles.push(...loaded.modules)
    this.#loaded = loaded
    return loaded
  }

  /**
   * Opens the per-test scope; nothing is built until a layer is used. A test inside a
   * block starts from that block's template.
   */
  openScope(name: string, optedOut?: string, block?: Block): TestScope {
    const scope = new TestScope(this.graph, { name, id: nextTestId() }, optedOut)
    if (block) placeInBlock(scope.test, { block, setup: false })
    return scope
  }

  /** The scope of a block's setup: its `db` is a fresh clone of the parent's template, captured by the block when torn down. */
  openSetupScope(block: Block): TestScope {
    const scope = new TestScope(this.graph, { name: `${block.name} (beforeAll)`, id: nextTestId() }, undefined, true)
    placeInBlock(scope.test, { block, setup: true })
    return scope
  }

  release(image: Buffer): void {
    this.#leases.get(image)?.close()
    this.#leases.delete(image)
  }

  /**
   * Loads now the code a test's database needs (the driver; `tmp` where databases are files),
   * which is otherwise loaded on first use: for a runner that refuses to load code at some
   * moments of a test (Jest 30, in a test.concurrent test once another has finished).
   */
  preloadCode(): void {
    loadDriver()
    if ((this.options.mode === 'file' || fileClonesRequested()) && this.#tempDir.needsTmp) loadTmp()
  }

  /** Removes this runtime's private temp dir, unless it holds databases kept for failed tests. */
  close(): void {
    for (const lease of this.#leases.values()) lease.close()
    this.#leases.clear()
    this.#tempDir.remove()
  }

  #clone(test: LayerTestInfo): Clone {
    this.#wanted += 1
    const entry = (test as InBlock)[blockEntry]
    if (entry?.setup) {
      const { block } = entry
      return capturedBy(block, this.#fresh(this.#source(block.parent)))
    }
    const source = this.#source(entry?.block)
    if (this.options.isolation !== 'savepoint') return this.#fresh(source)
    const key = entry?.block.image() ?? this.#base()
    let lease = this.#leases.get(key)
    if (!lease) {
      lease = new SavepointLease(() => this.#fresh(source))
      this.#leases.set(key, lease)
    }
    return lease.acquire(test.name)
  }

  #source(block: Block | undefined): CloneSource {
    const image = block?.image()
    return image ? { image } : this.#base()
  }

  #fresh(source: CloneSource): Clone {
    const log = newStatementLog(this.options)
    if (source.libsqlOnly !== undefined) {
      // A file (libSQL opens files), whose better-sqlite3 connection refuses statements.
      const clone = libsqlOnlyClone(fileClone(source, this.#filePragmas, this.#tempDir, log?.record), source.libsqlOnly)
      if (log) attachLog(clone.db, log)
      return clone
    }
    const clone = this.options.mode === 'file'
      ? fileClone(source, this.#pragmas, this.#tempDir, log.record)
      : fileClonesRequested()
        ? fileClone(source, this.#filePragmas, this.#tempDir, log.record)
        : memoryClone(source, this.#pragmas, this.#tempDir, log.record)
    attachLog(clone.db, log)
    return clone
  }

  /** The template: loaded by `prepare()`, or the handed-over one, read on first use. */
  #base(): Template {
    if (this.#loaded) return this.#loaded
    if (this.#failure !== undefined) throw this.#failure
    if (!this.needsPrepare && this.#handoff) {
      this.#loaded = receiveTemplate(this.#handoff)
      return this.#loaded
    }
    throw new SqliteFixturesError(
      'sqlite-fixtures: the template is not ready: the setup hooks did not run before this test. ' +
        "Use the sqliteFixtures() plugin, or list 'sqlite-fixtures/vitest/setup' in Vitest's setupFiles " +
        "('sqlite-fixtures/jest/setup' in Jest's setupFilesAfterEnv).",
    )
  }
}

/** Every test id of this copy starts so (made once: a test pays for its counter only). */
let idPrefix: string | undefined

function nextTestId(): string {
  testCounter += 1
  idPrefix ??= `${process.pid}-${instance}-`
  return `${idPrefix}${testCounter}`
}

/** A block's setup database: as it closes, its bytes become the block's template. */
function capturedBy(block: Block, clone: Clone): Clone {
  return {
    ...clone,
    dispose() {
      try {
        if (clone.db.open) block.capture(snapshot(clone.db))
      } finally {
        clone.dispose()
      }
    },
  }
}
