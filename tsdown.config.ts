import { defineConfig } from 'tsdown'

// ES2022 keeps `async` functions and destructured parameters as written: Vitest reads a
// fixture's dependencies from the source text of its first argument.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'vitest/index': 'src/vitest/index.ts',
    'vitest/setup': 'src/vitest/setup.ts',
  },
  format: ['esm'],
  target: 'es2022',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: true,
})
