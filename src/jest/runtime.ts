import { expect } from '@jest/globals'
import { brokerLayer } from '../broker/layer.js'
import { resolveOptions, type SqliteFixturesOptions } from '../core/base/index.js'
import { FixtureRuntime } from '../core/lifecycle/index.js'
import { ormMigrationSteps } from '../orm-migrations.js'
import { receivedHandoff } from './handoff.js'

/**
 * A test file's runtime: the setup file's options over those a global setup handed over,
 * and the template it built from them, if any.
 */
export function newRuntime(userOptions: SqliteFixturesOptions | undefined): FixtureRuntime {
  const handed = receivedHandoff(expect.getState().testPath)
  return new FixtureRuntime(resolveOptions({ ...handed?.options, ...userOptions }), [brokerLayer], handed?.template, ormMigrationSteps, handed?.runTempDir)
}
