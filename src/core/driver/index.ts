// driver: the one seam to the SQLite library. Every database the plugin opens, copies,
// snapshots or deletes (the template, each test's clone, the migrators' scratch databases)
// goes through it; a second driver plugs in here.

export {
  copyDatabaseFile,
  driverVersion,
  loadDriver,
  openDatabase,
  openScratch,
  openScratchFile,
  releaseDriver,
  removeDatabaseFile,
  replaceDatabaseFile,
  sidecars,
  snapshot,
  unreadableSchema,
  writeDatabaseFile,
} from './driver.js'
export { libsqlVersion, openLibsqlFile } from './libsql.js'
export { driverUnavailable } from './missing-driver.js'
