import { defineConfig, type UserConfig } from 'tsdown'

// ES2022 keeps `async` functions and destructured parameters as written: Vitest reads a
// fixture's dependencies from the source text of its first argument.
const common = {
  target: 'es2022',
  platform: 'node',
  dts: true,
  sourcemap: true,
  // Provided by Jest's runtime to the files it runs; never bundled.
  deps: { neverBundle: ['@jest/globals'] },
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
    },
    format: 'cjs',
    clean: false,
  },
])
