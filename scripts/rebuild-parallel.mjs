// `node scripts/rebuild-parallel.mjs`, after `npm ci --ignore-scripts`: runs the install
// scripts of the installed packages (`npm rebuild`, which applies package.json's allowScripts),
// each package that compiles a native addon (a binding.gyp) in its own npm process, as many
// processes at a time as the machine has cores.
// Why: npm runs install scripts at most (cores - 1) at a time, so on a 2-core CI machine the
// two SQLite amalgamations (better-sqlite3's and sqlite3's, ~2 min each at -O3, one core
// each) compile one after the other.
import { Buffer } from 'node:buffer'
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const npmCli = process.env.npm_execpath
/** Runs npm with `args`: through the npm that runs this script, or the one on the PATH. */
const npm = (args) => (npmCli ? [process.execPath, [npmCli, ...args]] : ['npm', args])

// The packages with an install script, or a binding.gyp without one (`gypfile`: npm gives it `node-gyp rebuild`).
const [command, args] = npm(['query', ':attr(scripts, [preinstall]), :attr(scripts, [install]), :attr(scripts, [postinstall]), :attr(gypfile, [true])'])
const scripted = JSON.parse(execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }))
const compiles = (location) => fs.existsSync(path.join(location, 'binding.gyp'))
const names = [...new Set(scripted.map((node) => node.name))]
const heavy = names.filter((name) => scripted.some((node) => node.name === name && compiles(node.location)))
const light = names.filter((name) => !heavy.includes(name))
const groups = [...heavy.map((name) => [name]), ...(light.length > 0 ? [light] : [])]

const failed = []
/** `npm rebuild` of some packages; its output is printed whole when it ends. */
function rebuild(group) {
  const started = Date.now()
  const [command, args] = npm(['rebuild', '--foreground-scripts=false', ...group])
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const output = []
  child.stdout.on('data', (chunk) => output.push(chunk))
  child.stderr.on('data', (chunk) => output.push(chunk))
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (code !== 0) failed.push(group.join(' '))
      process.stdout.write(`rebuild ${group.join(' ')}: ${code === 0 ? 'done' : `failed (${signal ?? `exit code ${code}`})`} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
      process.stdout.write(Buffer.concat(output))
      resolve()
    })
  })
}

const queue = [...groups]
async function lane() {
  for (let group = queue.shift(); group !== undefined; group = queue.shift()) await rebuild(group)
}
await Promise.all(Array.from({ length: Math.min(groups.length, os.availableParallelism()) }, lane))
if (failed.length > 0) {
  process.stderr.write(`rebuild-parallel: failed: ${failed.join('; ')}\n`)
  process.exitCode = 1
}
