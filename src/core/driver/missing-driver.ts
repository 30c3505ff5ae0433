import { DriverUnavailableError } from '../base/index.js'
import { type PackageManager, packageManagerOf } from './package-manager.js'

// What a user meets when better-sqlite3 cannot load, put in the plugin's words: what is
// missing, and the one command of the package manager in use that fixes it. The bare errors
// (`Could not locate the bindings file`, `NODE_MODULE_VERSION`) name neither.

type Failure = 'not-installed' | 'not-built' | 'other-node'

function failureOf(error: unknown): Failure | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as { code?: unknown }).code
  if (error.message.startsWith('Could not locate the bindings file')) return 'not-built'
  if (code === 'ERR_DLOPEN_FAILED' && error.message.includes('NODE_MODULE_VERSION')) return 'other-node'
  // Node's message, and Yarn Plug'n'Play's (an undeclared or missing peer), both name the package.
  if (code === 'MODULE_NOT_FOUND' && error.message.includes('better-sqlite3')) return 'not-installed'
  return undefined
}

const addCommand: Record<PackageManager['name'], string> = {
  npm: 'npm install --save-dev better-sqlite3',
  pnpm: 'pnpm add --save-dev better-sqlite3',
  yarn: 'yarn add --dev better-sqlite3',
  bun: 'bun add --dev better-sqlite3',
}

const rebuildCommand: Record<PackageManager['name'], string> = {
  npm: 'npm rebuild better-sqlite3',
  pnpm: 'pnpm rebuild better-sqlite3',
  yarn: 'yarn rebuild better-sqlite3',
  bun: 'bun install --force',
}

const major = (version: string | undefined) => (version === undefined ? undefined : Number.parseInt(version, 10))

/** Why the build did not run under this package manager, and what runs it. */
function buildAdvice({ name, version }: PackageManager): string {
  switch (name) {
    case 'pnpm':
      return (
        'pnpm runs no build script of a dependency until you allow it (at install it said "Ignored build scripts: better-sqlite3"). ' +
        (major(version) === 10
          ? 'Allow it, and pnpm builds it:\n\n  pnpm approve-builds\n\nand choose better-sqlite3. '
          : 'Allow it, and pnpm builds it:\n\n  pnpm approve-builds better-sqlite3\n\n(pnpm 10 asks instead: run `pnpm approve-builds` and choose better-sqlite3.) ') +
        'pnpm records it under allowBuilds in pnpm-workspace.yaml, so later installs build it too.'
      )
    case 'yarn':
      return major(version) === 1
        ? 'Its install script did not run (--ignore-scripts?). Run it:\n\n  yarn install --force'
        : 'Yarn runs no build script it was not allowed to (enableScripts is off). Allow better-sqlite3\'s in package.json,\n\n' +
            '  "dependenciesMeta": { "better-sqlite3": { "built": true } }\n\nand run `yarn install`, which builds it.'
    case 'bun':
      return (
        'Its install script did not run (bun trusts better-sqlite3 by default, unless --ignore-scripts or a trustedDependencies list ' +
        'of your own left it out). Run it:\n\n  bun install --force\n\n(or `bun pm trust better-sqlite3`, if `bun pm untrusted` lists it).'
      )
    default:
      return 'Its install script did not run (--ignore-scripts, or ignore-scripts in .npmrc). Run it:\n\n  npm rebuild better-sqlite3 --ignore-scripts=false'
  }
}

function message(failure: Failure, manager: PackageManager, cause: Error): string {
  switch (failure) {
    case 'not-installed':
      return (
        'sqlite-fixtures: better-sqlite3 is not installed. The plugin builds every test database with it ' +
        `(also for apps on libSQL or an ORM), and it is a peer dependency your project installs:\n\n  ${addCommand[manager.name]}`
      )
    case 'not-built':
      return (
        'sqlite-fixtures: better-sqlite3 is installed but was never built: its native addon (build/Release/better_sqlite3.node) ' +
        `is missing, so no test database can be opened. ${buildAdvice(manager)}`
      )
    case 'other-node':
      return (
        `sqlite-fixtures: better-sqlite3 was built for another version of Node than this one (${process.version}), ` +
        `so it cannot load (${cause.message.split('\n').find((line) => line.includes('NODE_MODULE_VERSION')) ?? cause.message}). ` +
        `Build it again for this Node:\n\n  ${rebuildCommand[manager.name]}`
      )
  }
}

/**
 * The plugin's own error for a driver that cannot load, naming the package manager's fix;
 * `undefined` for any other error (a database that cannot open), which stays as it is.
 * `installedAt` is a file of this package, which tells the project's layout.
 */
export function driverUnavailable(error: unknown, installedAt: string): DriverUnavailableError | undefined {
  const failure = failureOf(error)
  if (failure === undefined) return undefined
  return new DriverUnavailableError(message(failure, packageManagerOf(installedAt), error as Error), { cause: error })
}
