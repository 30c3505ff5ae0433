import { beforeAll, onTestFinished, TestRunner } from 'vitest'
import { realmState, SqliteFixturesConfigError } from '../core/base/index.js'
import { setNoOwnerExplanation } from '../core/lifecycle/index.js'

/**
 * Whether the setup file ran in this worker: the hooks that give each test its scope are
 * registered. Per realm: a copy of the package loaded after `vi.resetModules()` knows it too.
 */
const hooks = realmState('vitest-hooks', () => ({ installed: false }))
/** Test files whose start checks that the hooks are installed. */
const checkedFiles = new WeakSet<object>()
/** Tests already failed for a missing setup file, so each is failed once. */
const failedTests = new WeakSet<object>()

function notInstalled(): SqliteFixturesConfigError {
  return new SqliteFixturesConfigError(
    "sqlite-fixtures: the plugin's hooks are not installed in this Vitest run, so no test gets a database, and " +
      'currentDb(), testDatabase() and the ORM layers cannot tell which test they serve. Add sqliteFixtures() to ' +
      "`plugins` in vitest.config.ts, or 'sqlite-fixtures/vitest/setup' to `test.setupFiles` (before your own setup file).",
  )
}

/** Throws the error for a run whose setup file was never loaded (a context-mode fixture found no scope). */
export function missingHooks(): never {
  throw notInstalled()
}

/** Records that the setup file installed the hooks in this worker. */
export function markInstalled(): void {
  hooks.installed = true
}

/**
 * Where no test owns the code running: if a test is running and the hooks were never
 * installed, the error that says how to install them, which also fails that test, even if
 * its code catches the error (`rejects.toThrow()` must not pass on it).
 */
function explainMissingHooks(): Error | undefined {
  if (hooks.installed) return undefined
  const error = notInstalled()
  const test = TestRunner.getCurrentTest()
  if (test && !failedTests.has(test)) {
    failedTests.add(test)
    onTestFinished(() => {
      throw error
    })
  }
  return error
}

/**
 * Called where the plugin is configured or used (`configureSqliteFixtures()`, `testDatabase()`):
 * while a test file is collected, it adds a check to the file's start, so a run whose setup
 * file was never loaded fails before its first test, with how to fix it.
 */
export function checkInstalledAtStart(): void {
  setNoOwnerExplanation(explainMissingHooks)
  if (hooks.installed || TestRunner.getCurrentTest()) return
  const suite = TestRunner.getCurrentSuite() as { file?: object } | undefined
  const file = suite?.file ?? suite
  // Only while a file is collected: not in vitest.config.ts, nor once its tests run.
  if (!file || checkedFiles.has(file)) return
  checkedFiles.add(file)
  beforeAll(() => {
    if (!hooks.installed) throw notInstalled()
  })
}
