// `--node-bin <node> --driver <better-sqlite3 dir>` for the benchmarks that measure in their own
// process (bench:sqlite3, bench:knex, bench:sequelize): the script runs again on that Node, its
// better-sqlite3 addon loaded from `--driver` (a build for that Node, see bench/other-node.ts),
// and its per-file Vitest projects link that build. node-sqlite3 is N-API: one build serves all.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const variable = 'BENCH_BETTER_SQLITE3'

/** The better-sqlite3 package this run loads (another Node's build), if not the repo's. */
export const otherDriver = process.env[variable]

if (otherDriver !== undefined) {
  // better-sqlite3 loads its addon on its first `new Database()`, by this name: load the other build instead.
  const addon = path.join(otherDriver, 'build/Release/better_sqlite3.node')
  const dlopen = process.dlopen.bind(process)
  process.dlopen = (module: object, filename: string, flags?: number) => {
    const file = path.basename(filename) === 'better_sqlite3.node' ? addon : filename
    if (flags === undefined) dlopen(module, file)
    else dlopen(module, file, flags)
  }
}

/**
 * Runs the benchmark at `script` (its `import.meta.url`) on `--node-bin` with `--driver`'s
 * better-sqlite3, when both are given, and exits with its status; returns when this run is the one.
 */
export function runOnOtherNodeIfAsked(script: string): void {
  if (otherDriver !== undefined) return
  const { values } = parseArgs({ options: { 'node-bin': { type: 'string' }, driver: { type: 'string' } }, strict: false })
  const node = values['node-bin']
  const driver = values.driver
  if (typeof node !== 'string' || typeof driver !== 'string') return
  const ran = spawnSync(node, ['--import', 'tsx', fileURLToPath(script)], { stdio: 'inherit', env: { ...process.env, [variable]: path.resolve(driver) } })
  process.exit(ran.status ?? 1)
}
