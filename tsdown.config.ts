import { defineConfig, type UserConfig } from 'tsdown'

const entryNames = ['index', 'setup', 'global-setup']
/** The template room's modules that build a template, loaded only where one is built. */
const building = ['core/template/template', 'core/template/cache', 'core/template/lock', 'core/template/manifest', 'core/template/script', 'core/template/sources', 'core/template/prebuild', 'core/template/modules', 'core/template/libsql-build']

/** The Vitest plugin's modules, which run in Vitest's main process only. */
const mainProcess = ['vitest/plugin', 'vitest/watch', 'vitest/async-context']

/**
 * A test for a chunk group: source modules (not entries, not declarations) under these
 * folders of src (`core` takes its rooms too), but for `except`, or only those in `only`;
 * modules are named by their path under src, without `.ts`.
 */
function sourceIn(folders: readonly string[], { except = [], only }: { except?: string[]; only?: string[] } = {}): (id: string) => boolean {
  return (id) => {
    const name = /[\\/]src[\\/]([\w/\\-]+)\.ts$/.exec(id)?.[1]?.replaceAll('\\', '/')
    if (name === undefined || entryNames.includes(name.split('/').at(-1) as string) || except.includes(name)) return false
    if (!folders.some((folder) => name.startsWith(`${folder}/`))) return false
    return only === undefined || only.includes(name)
  }
}

// ES2022 keeps `async` functions and destructured parameters as written: Vitest reads a
// fixture's dependencies from the source text of its first argument.
const common = {
  target: 'es2022',
  platform: 'node',
  dts: true,
  sourcemap: true,
  // Provided by Jest's runtime, and by the Workers pool's runtime, to the files they run; never bundled.
  deps: { neverBundle: ['@jest/globals', 'cloudflare:test', 'cloudflare:workers'] },
  // A test file that never touches a database still loads the setup file and what it
  // imports, once per file: each chunk is a module to resolve and load (~1 ms apiece in a
  // fresh worker), so the shared code goes in one chunk per layer of the design, not in a
  // chunk per combination of entries that use it.
  outputOptions: {
    comments: { jsdoc: false, legal: true, annotation: true },
    codeSplitting: {
      groups: [
        // Which ORM layer applies a migration set: a few lines, with the core, so that Jest's
        // global setup and Vitest's workers share it without loading each other's code.
        { name: 'core', test: (id) => sourceIn(['core', 'broker'], { except: building })(id) || /[\\/]src[\\/]orm-migrations\.ts$/.test(id) },
        // Building a template, which a worker handed one by the main process never does:
        // loaded with `import()` where needed, so it is not part of every test file's start.
        { name: 'template', test: sourceIn(['core'], { only: building }) },
        // The plugin runs in Vitest's main process: the workers' setup file does not load it.
        // The build command's code loads Vite: it stays apart from the plugin's.
        { name: 'vitest', test: sourceIn(['vitest'], { except: [...mainProcess, 'vitest/built-templates'] }) },
        { name: 'vitest-plugin', test: sourceIn(['vitest'], { only: mainProcess }) },
        // Jest's global setup runs outside any test environment: what it imports stays
        // apart from the hooks, which import '@jest/globals' (an earlier group wins a module).
        { name: 'jest-handoff', test: sourceIn(['jest'], { only: ['jest/handoff', 'jest/module-import', 'jest/module-graph'] }) },
        { name: 'jest', test: sourceIn(['jest']) },
      ],
    },
  },
} satisfies UserConfig

export default defineConfig([
  // One ESM build of every entry, so the entries share one copy of the core (and of the
  // state that tells which test is running).
  {
    ...common,
    entry: {
      index: 'src/index.ts',
      cli: 'src/cli.ts',
      'vitest/index': 'src/vitest/index.ts',
      'vitest/setup': 'src/vitest/setup.ts',
      'jest/index': 'src/jest/index.ts',
      'jest/setup': 'src/jest/setup.ts',
      'jest/global-setup': 'src/jest/global-setup.ts',
      'typeorm/index': 'src/typeorm/index.ts',
      'broker/index': 'src/broker/public.ts',
      'kysely/index': 'src/kysely/index.ts',
      'drizzle/index': 'src/drizzle/index.ts',
      'prisma/index': 'src/prisma/index.ts',
      'libsql/index': 'src/libsql/index.ts',
      'drizzle/libsql': 'src/drizzle/libsql.ts',
      'kysely/libsql': 'src/kysely/libsql.ts',
      'prisma/libsql': 'src/prisma/libsql.ts',
      'sqlite3/index': 'src/sqlite3/index.ts',
      'knex/index': 'src/knex/index.ts',
      'sequelize/index': 'src/sequelize/index.ts',
      'd1/index': 'src/d1/index.ts',
      'd1/setup': 'src/d1/setup.ts',
    },
    format: 'esm',
    clean: true,
  },
  // CommonJS for Jest, whose `require` of ESM is still unreliable. Vitest is ESM-only, so
  // its entries are not built twice.
  {
    ...common,
    entry: {
      index: 'src/index.ts',
      'jest/index': 'src/jest/index.ts',
      'jest/setup': 'src/jest/setup.ts',
      'jest/global-setup': 'src/jest/global-setup.ts',
      'typeorm/index': 'src/typeorm/index.ts',
      'broker/index': 'src/broker/public.ts',
      'kysely/index': 'src/kysely/index.ts',
      'drizzle/index': 'src/drizzle/index.ts',
      'prisma/index': 'src/prisma/index.ts',
      'libsql/index': 'src/libsql/index.ts',
      'drizzle/libsql': 'src/drizzle/libsql.ts',
      'kysely/libsql': 'src/kysely/libsql.ts',
      'prisma/libsql': 'src/prisma/libsql.ts',
      'sqlite3/index': 'src/sqlite3/index.ts',
      'knex/index': 'src/knex/index.ts',
      'sequelize/index': 'src/sequelize/index.ts',
    },
    format: 'cjs',
    // CommonJS has no `import.meta`: `requirePackage` then takes the package's require entry.
    define: { 'import.meta.resolve': 'undefined' },
    clean: false,
  },
])
