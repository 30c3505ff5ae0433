// Preloaded into the workers of an inner Vitest run (`--import`, through Vitest's execArgv) by
// tests that check what a test file loads: every module resolved (import) or loaded (require),
// every database file read, and every temp dir of the plugin's made, is appended to the file
// named by SQLITE_FIXTURES_LOAD_LOG, as "<pid> <module>", "<pid> read <file>", "<pid> mkdir
// <dir>" or "<pid> mkdtemp <prefix>". (Inside Jest's sandbox, modules load through Jest's own
// require: only the files and dirs are seen there.)
import fs from 'node:fs'
import Module, { register } from 'node:module'

const log = process.env.SQLITE_FIXTURES_LOAD_LOG
if (log) {
  register(new URL('./load-probe-hooks.mjs', import.meta.url), { data: { log, pid: process.pid } })
  const load = Module._load
  Module._load = function (request, ...rest) {
    fs.appendFileSync(log, `${process.pid} ${request}\n`)
    return load.call(this, request, ...rest)
  }
  // Who makes the plugin's temp dirs: a run's (with `tmp`: mkdir) and a worker's (mkdtemp).
  const mkdirSync = fs.mkdirSync
  fs.mkdirSync = function (dir, ...rest) {
    if (/[/\\]sqlite-fixtures-[^/\\]*$/.test(String(dir))) fs.appendFileSync(log, `${process.pid} mkdir ${dir}\n`)
    return mkdirSync.call(this, dir, ...rest)
  }
  const mkdtempSync = fs.mkdtempSync
  fs.mkdtempSync = function (prefix, ...rest) {
    fs.appendFileSync(log, `${process.pid} mkdtemp ${prefix}\n`)
    return mkdtempSync.call(this, prefix, ...rest)
  }
  const readFileSync = fs.readFileSync
  fs.readFileSync = function (file, ...rest) {
    if (String(file).endsWith('.sqlite')) fs.appendFileSync(log, `${process.pid} read ${file}\n`)
    return readFileSync.call(this, file, ...rest)
  }
}
