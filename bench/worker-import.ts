// What the plugin's setup file costs a test file to import, against another build of it: the
// chunks `dist/vitest/setup.mjs` imports (not the file itself, which registers Vitest's hooks),
// imported by a fresh Node process after Vitest (so that what they share with it is loaded),
// this checkout's build and `--compare <checkout>`'s alternating, process by process. Per
// import, wall and CPU time; the paired difference is what the change saves each test file.
// `--node-bin <node>` runs it on another Node (no driver needed: nothing opens a database).
// Run `npm run build` in both checkouts first. See bench/README.md.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { quantile } from './measure.js'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    'node-bin': { type: 'string' },
    compare: { type: 'string' },
  },
})

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

/** The child: imports Vitest and the builtins the chunks use, then times the chunks' import. */
const child = `
const chunks = JSON.parse(process.argv[1])
await import('vitest')
for (const name of ['module', 'perf_hooks', 'timers', 'fs', 'path', 'url', 'async_hooks', 'os']) await import('node:' + name)
const start = performance.now()
const cpu = process.cpuUsage()
for (const chunk of chunks) await import(chunk)
const used = process.cpuUsage(cpu)
console.log(JSON.stringify({ wall: performance.now() - start, cpu: (used.user + used.system) / 1000 }))
`

/** The chunks the built setup file imports, as file URLs. */
function setupChunks(checkout: string): string[] {
  const setup = path.join(checkout, 'dist/vitest/setup.mjs')
  if (!fs.existsSync(setup)) throw new Error(`bench/worker-import: ${setup} is missing; run \`npm run build\` in ${checkout} first.`)
  const imports = [...fs.readFileSync(setup, 'utf8').matchAll(/^import .* from "(\.[^"]+)";$/gm)].map((match) => match[1] as string)
  return imports.map((specifier) => new URL(specifier, `file://${setup}`).href)
}

interface Sample {
  readonly wall: number
  readonly cpu: number
}

function importOnce(node: string, chunks: readonly string[]): Sample {
  // From the repo, where 'vitest' resolves; the chunks resolve it from their own checkout.
  const out = execFileSync(node, ['--input-type=module', '-e', child, JSON.stringify(chunks)], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: '' } })
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Sample
}

const quartiles = (values: readonly number[]): [number, number, number] => {
  const sorted = [...values].sort((a, b) => a - b)
  return [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)]
}
const ms = (value: number) => `${value.toFixed(2)} ms`

const node = args['node-bin'] ?? process.execPath
const rounds = Number(args.rounds)
const here = setupChunks(repoRoot)
const compared = args.compare ? setupChunks(path.resolve(args.compare)) : undefined
const ours: Sample[] = []
const theirs: Sample[] = []
for (let round = 0; round < rounds; round++) {
  // Alternating which goes first, so that neither always follows the other.
  if (compared && round % 2 === 1) theirs.push(importOnce(node, compared))
  ours.push(importOnce(node, here))
  if (compared && round % 2 === 0) theirs.push(importOnce(node, compared))
}
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
process.stdout.write(`importing the setup file's chunks on Node ${version}, ${rounds} processes each (median, p25-p75):\n`)
for (const [label, samples] of [['this build', ours], [`built in ${args.compare}`, theirs]] as const) {
  if (samples.length === 0) continue
  const [wall25, wall, wall75] = quartiles(samples.map((sample) => sample.wall))
  const [cpu25, cpu, cpu75] = quartiles(samples.map((sample) => sample.cpu))
  process.stdout.write(`  ${label}: ${ms(wall)} (${ms(wall25)}-${ms(wall75)}), CPU ${ms(cpu)} (${ms(cpu25)}-${ms(cpu75)})\n`)
}
if (theirs.length > 0) {
  const [low, median, high] = quartiles(ours.map((sample, round) => sample.wall - (theirs[round] as Sample).wall))
  process.stdout.write(`  this build minus the compared one, paired by round: ${ms(median)} (p25 ${ms(low)}, p75 ${ms(high)})\n`)
}
