import fs from 'node:fs'
import path from 'node:path'

/** The package managers whose own commands the plugin's install errors name. */
type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun'

export interface PackageManager {
  readonly name: PackageManagerName
  /** Its version, where the project says it (`npm_config_user_agent`, pnpm's `.modules.yaml`). */
  readonly version: string | undefined
}

const lockfiles: readonly (readonly [string, PackageManagerName])[] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
]

/** What `npm_config_user_agent` says (`pnpm/11.1.0 npm/? node/v22...`): set when a package manager runs the command. */
function fromUserAgent(): PackageManager | undefined {
  const match = /^(npm|pnpm|yarn|bun)\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')
  return match ? { name: match[1] as PackageManagerName, version: match[2] } : undefined
}

/** The package manager whose lockfile is nearest above `dir`. */
function fromLockfile(dir: string): PackageManagerName | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const found = lockfiles.find(([file]) => fs.existsSync(path.join(at, file)))
    if (found) return found[1]
    if (path.dirname(at) === at) return undefined
  }
}

/** pnpm's version, from the `.modules.yaml` it writes into the node_modules holding its store. */
function pnpmVersion(installedAt: string): string | undefined {
  const root = installedAt.slice(0, installedAt.indexOf(`${path.sep}.pnpm${path.sep}`))
  try {
    return /"?packageManager"?:\s*"?pnpm@([^"\s]+)/.exec(fs.readFileSync(path.join(root, '.modules.yaml'), 'utf8'))?.[1]
  } catch {
    return undefined
  }
}

/**
 * The package manager that installed the project, for an install error to name its own
 * commands. The layout says it best (Yarn's Plug'n'Play, pnpm's `.pnpm` store), then the
 * command that runs the tests (`pnpm test`), then the nearest lockfile; npm otherwise.
 * `installedAt` is where a package of the project was installed (this package's own files).
 */
export function packageManagerOf(installedAt: string, cwd = process.cwd()): PackageManager {
  const agent = fromUserAgent()
  const versionIf = (name: PackageManagerName) => (agent?.name === name ? agent.version : undefined)
  if (process.versions.pnp !== undefined) return { name: 'yarn', version: versionIf('yarn') }
  if (installedAt.includes(`${path.sep}node_modules${path.sep}.pnpm${path.sep}`)) return { name: 'pnpm', version: versionIf('pnpm') ?? pnpmVersion(installedAt) }
  if (agent && agent.name !== 'npm') return agent
  const locked = fromLockfile(cwd)
  if (locked) return { name: locked, version: versionIf(locked) }
  return agent ?? { name: 'npm', version: undefined }
}
