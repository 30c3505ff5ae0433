// `node scripts/run-parallel.mjs <script>... [--then <script>...] [--beside <script>...]`: runs
// the package's npm scripts given, as many at a time as the machine has cores, in the order
// given (put the longest first); the scripts after `--then` start once all before it have
// passed. Scripts after `--beside` mostly wait on the network and the disk: they start at once,
// outside that count, and a failure of theirs is printed but does not fail the run (the test
// that needs what they make does it again, or says why it cannot). Each script's output is
// printed whole when it ends, so the logs do not interleave. Exits non-zero when a script
// failed, after all that were started have ended.
// Why: the checks of `npm test` (tsc, eslint, vitepress...) each use one core; run one after
// the other, a CI machine's second core sits idle.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import os from 'node:os'

const stages = [[]]
const beside = []
let into = stages[0]
for (const arg of process.argv.slice(2)) {
  if (arg === '--then') stages.push((into = []))
  else if (arg === '--beside') into = beside
  else into.push(arg)
}
const npmCli = process.env.npm_execpath
const failed = []

/** Runs one npm script, its stdout and stderr in one buffer; resolves to whether it passed. */
function run(script) {
  const started = Date.now()
  const args = ['run', '--silent', script]
  const child = npmCli ? spawn(process.execPath, [npmCli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('npm', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const output = []
  child.stdout.on('data', (chunk) => output.push(chunk))
  child.stderr.on('data', (chunk) => output.push(chunk))
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      process.stdout.write(`\n> ${script}: ${code === 0 ? 'passed' : `failed (${signal ?? `exit code ${code}`})`} in ${seconds} s\n`)
      process.stdout.write(Buffer.concat(output))
      resolve(code === 0)
    })
  })
}

const besideDone = Promise.all(beside.map(run))
for (const scripts of stages) {
  const queue = [...scripts]
  const lane = async () => {
    for (let script = queue.shift(); script !== undefined; script = queue.shift()) if (!(await run(script))) failed.push(script)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(scripts.length, os.availableParallelism())) }, lane))
  if (failed.length > 0) break
}
await besideDone

if (failed.length > 0) {
  process.stderr.write(`\nrun-parallel: failed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}
