// The native addons the repo's own install compiled (better-sqlite3 for this Node, node-sqlite3
// for N-API), packed as prebuild-install names a prebuild. With
// `npm_config_<package>_local_prebuilds` pointing at the folder, an install of the same version
// unpacks one instead of downloading it (no network but npm's here) or compiling it (1-3 min
// each): a compat entry's node-sqlite3 of the repo's version, the Prisma adapter's nested
// better-sqlite3 on the repo's Node, every package manager's demo install. Any other version
// or Node ABI finds no file of its name, and compiles as before.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

const manifest = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))

/** The best N-API version of a package's `binary.napi_versions` that this Node supports, as prebuild-install picks it. */
function napiVersion(pkg) {
  const supported = Number(process.versions.napi)
  return Math.max(...pkg.binary.napi_versions.filter((version) => version <= supported))
}

/** Packs the repo's built addons into `dir`; returns the env that points installs at them. */
export async function localPrebuilds(repo, dir) {
  fs.mkdirSync(dir, { recursive: true })
  const addons = [
    { name: 'better-sqlite3', file: 'build/Release/better_sqlite3.node', abi: () => `node-v${process.versions.modules}` },
    { name: 'sqlite3', file: 'build/Release/node_sqlite3.node', abi: (pkg) => `napi-v${napiVersion(pkg)}` },
  ]
  const env = {}
  for (const addon of addons) {
    const home = path.join(repo, 'node_modules', addon.name)
    const pkg = manifest(home)
    const tarball = `${addon.name}-v${pkg.version}-${addon.abi(pkg)}-${process.platform}-${process.arch}.tar.gz`
    await execFileAsync('tar', ['czf', path.join(dir, tarball), '-C', home, addon.file])
    env[`npm_config_${addon.name.replace(/[^a-zA-Z0-9]/g, '_')}_local_prebuilds`] = dir
  }
  return env
}
