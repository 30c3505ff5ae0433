// Preloaded into the workers of an inner Vitest run (`--import`, through Vitest's execArgv) by
// tests that check what a test file loads: every module resolved (import) or loaded (require),
// and every database file read, is appended to the file named by SQLITE_FIXTURES_LOAD_LOG, as
// "<pid> <module or file>".
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
  const readFileSync = fs.readFileSync
  fs.readFileSync = function (file, ...rest) {
    if (String(file).endsWith('.sqlite')) fs.appendFileSync(log, `${process.pid} read ${file}\n`)
    return readFileSync.call(this, file, ...rest)
  }
}
