// lifecycle: where a test gets its database. Per test file, a runtime; per test, a scope
// that clones the template and builds layers on first use, then tears them down in reverse;
// per describe block, a derived template; and which test owns the code running now.

export { Block } from './block.js'
export { openBeside, requestFileClones } from './file-clones.js'
export { onNewDatabase } from './new-database.js'
export { runAsNobody } from './context.js'
export { liveOwners } from './live.js'
export { checkOwnWork, type OwnWorkWording } from './own-work.js'
export { bindFakeTimers } from './timers.js'
export {
  acknowledge,
  currentScope,
  explainedNoOwner,
  ownerHere,
  ownerName,
  pushRunning,
  refuse,
  refusalsHere,
  runAs,
  runInBlock,
  runInScope,
  scopeIfAny,
  scopeOfOwner,
  setNoOwnerExplanation,
  setRunnerOwner,
} from './owner.js'
export { filesStarted, finishFile, startFile, startTests, testsStarted, unreported } from './refusals.js'
export { FixtureRuntime } from './runtime.js'
export { makeRunTempDir, removeRunTempDir, sweepEarlierRuns } from './run-dir.js'
export type { RunTempDir } from './tempdir.js'
export type { TestScope } from './scope.js'
