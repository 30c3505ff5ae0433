import { threadId } from 'node:worker_threads'
import { defaultPragmas, fileClone, memoryClone, type Clone } from './clone.js'
import { dbLayer } from './db-layer.js'
import { SqliteFixturesError } from './errors.js'
import type { AnyLayer } from './layer.js'
import { LayerGraph } from './layers.js'
import type { ResolvedOptions } from './options.js'
import { SavepointLease } from './savepoint.js'
import { TestScope } from './scope.js'
import { attachLog, newStatementLog } from './sql-log.js'
import { TempDir } from './tempdir.js'
import { loadTemplate, optionSteps, type Template, type TemplateStep } from './template.js'

let testCounter = 0

/**
 * Everything one test file (or worker) needs to hand out per-test databases: the options,
 * the template (loaded once), the private temp dir, and the layer graph. Runner adapters
 * create one, call `prepare()` before the tests, `openScope()` per test, `close()` after.
 */
export class FixtureRuntime {
  readonly options: ResolvedOptions
  readonly graph: LayerGraph
  readonly #tempDir: TempDir
  readonly #pragmas: ResolvedOptions['pragmas']
  readonly #lease: SavepointLease | undefined
  #template: Promise<Template> | undefined
  #loaded: Template | undefined

  constructor(options: ResolvedOptions, builtInLayers: readonly AnyLayer[] = []) {
    this.options = options
    this.#tempDir = new TempDir(options.tempDir)
    this.#pragmas = { ...defaultPragmas(options.mode), ...options.pragmas }
    this.#lease = options.isolation === 'savepoint' ? new SavepointLease(() => this.#clone()) : undefined
    const db = dbLayer((test) => this.#lease?.acquire(test.name) ?? this.#clone(), options)
    this.graph = new LayerGraph([db, ...builtInLayers, ...options.layers])
  }

  /** The steps that shape the template: the schema, the seed, then each layer's own. */
  async templateSteps(): Promise<TemplateStep[]> {
    const steps = optionSteps(this.options)
    for (const name of this.graph.names) steps.push(...((await this.graph.get(name).templateSteps?.({ rootDir: this.options.rootDir })) ?? []))
    return steps
  }

  /**
   * Prepares the layers, then loads the template from the cache (or builds it), once; every
   * later call returns the same promise. Layers prepare first, so their template steps can
   * use what they prepared (an ORM's metadata, say).
   */
  prepare(): Promise<Template> {
    this.#template ??= (async () => {
      for (const name of this.graph.names) await this.graph.get(name).prepare?.()
      const template = await loadTemplate(await this.templateSteps(), this.options)
      this.#loaded = template
      return template
    })()
    return this.#template
  }

  /** Opens the per-test scope; nothing is built until a layer is used. */
  openScope(name: string, optedOut?: string): TestScope {
    testCounter += 1
    return new TestScope(this.graph, { name, id: `${process.pid}-${threadId}-${testCounter}` }, optedOut)
  }

  /** Removes this runtime's private temp dir, unless it holds databases kept for failed tests. */
  close(): void {
    this.#lease?.close()
    this.#tempDir.remove()
  }

  #clone(): Clone {
    const template = this.#loaded
    if (!template) {
      throw new SqliteFixturesError(
        'sqlite-fixtures: the template is not ready: the setup hooks did not run before this test. ' +
          "Use the sqliteFixtures() plugin, or list 'sqlite-fixtures/vitest/setup' in Vitest's setupFiles " +
          "('sqlite-fixtures/jest/setup' in Jest's setupFilesAfterEnv).",
      )
    }
    const log = newStatementLog(this.options)
    const clone = this.options.mode === 'file'
      ? fileClone(template, this.#pragmas, this.#tempDir, log?.record)
      : memoryClone(template, this.#pragmas, this.#tempDir, log?.record)
    if (log) attachLog(clone.db, log)
    return clone
  }
}
