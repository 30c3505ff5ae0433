// Installs the packed package into a copy of a sample project, as a user's `npm install`
// would: Vitest externalizes (loads natively) only code under a `node_modules` dir, so a
// symlink to the repo, or the package's self-reference, would have Vite transform dist/
// as source and double the plugin's start-up cost in the measurement.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))

/** Packages the sample's code and the package's own code need, linked from the repo's node_modules. */
const linkedDependencies = ['vitest', 'better-sqlite3', 'tmp', 'fastest-levenshtein', 'typeorm', 'kysely', 'drizzle-orm']

/**
 * Copies `fixtures/<project>` to `<scratch>/<project>`, as an ESM package, with
 * `node_modules/sqlite-fixtures` unpacked from `npm pack` (a real directory) and the
 * dependencies linked. Returns the copy's root. The benchmark and the end-to-end tests that
 * edit a sample's files use it.
 */
export function installSample(project: string, scratch: string): string {
  const root = path.join(scratch, project)
  fs.cpSync(path.join(repoRoot, 'fixtures', project), root, { recursive: true })
  installPackage(root, scratch)
  return root
}

/**
 * Gives the project at `root` (a copy of a sample, or one a benchmark wrote) an ESM
 * package.json and a `node_modules` with the packed package unpacked and its dependencies
 * (and `extra` packages, by name) linked from the repo's. `from` packs another checkout's
 * build instead (a benchmark's before-and-after pair).
 */
export function installPackage(root: string, scratch: string, extra: readonly string[] = [], from = repoRoot): void {
  // In the repo, the samples live under its ESM package.json; a copy needs its own.
  fs.writeFileSync(path.join(root, 'package.json'), `${JSON.stringify({ name: `sample-${path.basename(root)}`, private: true, type: 'module' }, null, 2)}\n`)
  const modules = path.join(root, 'node_modules')
  fs.mkdirSync(modules, { recursive: true })
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: from, encoding: 'utf8' })
  const tarball = path.join(scratch, packed.trim().split('\n').at(-1) as string)
  const unpacked = path.join(modules, 'sqlite-fixtures')
  fs.mkdirSync(unpacked)
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'])
  fs.rmSync(tarball)
  for (const name of [...linkedDependencies, ...extra]) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true })
    fs.symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(modules, name), 'dir')
  }
}
