// The global `SqliteFixtures.Fixtures` is declared with the layer definition.
import type {} from '../core/base/index.js'

// Every layer, built in or the user's (through `SqliteFixtures.Fixtures`), is a field of the test context.
// Vitest 4 declares TestContext in @vitest/runner and only re-exports it from 'vitest', and
// TypeScript does not merge an augmentation through a re-export: so both are augmented.
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface TestContext extends SqliteFixtures.Fixtures {}
}
declare module '@vitest/runner' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface TestContext extends SqliteFixtures.Fixtures {}
}
