import type { Database } from 'better-sqlite3'
import type { MigrationSet } from './migration-set.js'
import type { TemplateStep } from './template-step.js'

declare global {
  /** Types users and packages extend; global, so an augmentation reaches every entry and build. */
  namespace SqliteFixtures {
    /**
     * The values layers give a test, by layer name. Add your own layers by extending it,
     * which also types `ctx.<name>` in Vitest:
     *
     * ```ts
     * declare global {
     *   namespace SqliteFixtures {
     *     interface Fixtures { users: UserRepository }
     *   }
     * }
     * ```
     */
    interface Fixtures {
      /** The test's own SQLite database, cloned from the migrated, seeded template. */
      db: Database
    }

    /**
     * What a project tells the ORM layers about its own types, so their fixtures are typed
     * without redeclaring them (each ORM's guide in docs/ names its field):
     *
     * ```ts
     * declare global {
     *   namespace SqliteFixtures {
     *     interface Register { drizzleSchema: typeof schema }
     *   }
     * }
     * ```
     */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Register {}
  }
}

/** The values layers give a test, by layer name: `SqliteFixtures.Fixtures`. */
export type Fixtures = SqliteFixtures.Fixtures

/** What a layer's setup learns about the test it serves. */
export interface LayerTestInfo {
  /** The test's full name, suites included. */
  readonly name: string
  /** A short id unique on this machine while the run lasts (pid, worker thread, counter), safe for file names. */
  readonly id: string
  /** Whether the test failed; known by the time teardowns run. */
  readonly failed: boolean
}

/** What a layer learns about the project it serves when it adds template steps. */
export interface LayerContext {
  /** The directory relative paths are resolved from (the `rootDir` option): a layer's own paths too. */
  readonly rootDir: string
}

/**
 * A layer is a fixture definition: a name, the layers it depends on, and how to build and
 * tear down its value for one test. The per-test values live elsewhere (a scope), so one
 * definition serves every test, in every runner.
 */
export interface Layer<
  Name extends string = string,
  Value = unknown,
  Deps extends keyof Fixtures = keyof Fixtures,
> {
  /** The name tests use: `ctx.<name>` and `scope.get('<name>')`. */
  readonly name: Name
  /** Layers to build first; their values are passed to `setup`. */
  readonly dependsOn?: readonly Deps[]
  /**
   * Builds the value for one test. Runs on first use, after the layers it depends on.
   * May be async; an async layer can only be reached where the runner can await it.
   */
  setup(deps: Pick<Fixtures, Deps>, test: LayerTestInfo): Value | Promise<Value>
  /** Releases the value. Runs after the test, in reverse order of setup, even if the test failed. */
  teardown?(value: Value, test: LayerTestInfo): void | Promise<void>
  /**
   * The layer's ORM migrations, as plain data (what `drizzleMigrations()` and its kin make):
   * applied to the template after the schema, as the `migrations` option's are, and not
   * applied again where the template handed over by the main process already holds the
   * same set.
   */
  readonly migrations?: MigrationSet
  /**
   * Steps this layer adds to the template, after the schema and migrations and before the
   * seed (migrations only code can describe, say, which the seed may fill). They are hashed
   * into the template's cache key, so a change rebuilds the template. A layer that has them
   * makes each test file prepare before its first test; prefer `migrations` where the steps
   * can be described as data.
   */
  templateSteps?(context: LayerContext): readonly TemplateStep[] | Promise<readonly TemplateStep[]>
  /**
   * Async work done once per test file, before its first database and before
   * `templateSteps()` (an ORM's metadata, say), so that `setup` can stay synchronous and
   * `ctx.<name>` can build it on first read.
   */
  prepare?(): void | Promise<void>
}

/** A layer of any name, value and dependencies, as registries hold them. */
// `any` here lets a `Layer<'broker', Broker, 'db'>` sit in a list beside others; the
// public surface keeps the precise type of each layer.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayer = Layer<string, any, any>

/** Identity helper that infers a layer's types from its definition. */
export function defineLayer<Name extends string, Value, Deps extends keyof Fixtures = never>(
  layer: Layer<Name, Value, Deps>,
): Layer<Name, Value, Deps> {
  return layer
}
