// `node scripts/run-parallel.mjs <script>...`: runs the package's npm scripts given, as many
// at a time as the machine has cores, in the order given (put the longest first). Each
// script's output is printed whole when it ends, so the logs do not interleave. Exits
// non-zero when any script fails, after all have ended.
// Why: the checks of `npm test` (tsc, eslint, vitepress...) each use one core; run one after
// the other, a CI machine's second core sits idle.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import os from 'node:os'

const scripts = process.argv.slice(2)
const lanes = Math.max(1, Math.min(scripts.length, os.availableParallelism()))
const npmCli = process.env.npm_execpath
const failed = []

/** Runs one npm script, its stdout and stderr in one buffer; resolves when it ends. */
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
      const ok = code === 0
      if (!ok) failed.push(script)
      process.stdout.write(`\n> ${script}: ${ok ? 'passed' : `failed (${signal ?? `exit code ${code}`})`} in ${seconds} s\n`)
      process.stdout.write(Buffer.concat(output))
      resolve()
    })
  })
}

const queue = [...scripts]
async function lane() {
  for (let script = queue.shift(); script !== undefined; script = queue.shift()) await run(script)
}
await Promise.all(Array.from({ length: lanes }, lane))

if (failed.length > 0) {
  process.stderr.write(`\nrun-parallel: failed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}
