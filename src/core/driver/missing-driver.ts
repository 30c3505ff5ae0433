import { DriverUnavailableError } from '../base/index.js'
import { type PackageManager, packageManagerOf } from './package-manager.js'

// What a user meets when a native driver (better-sqlite3, node-sqlite3) cannot load, put in
// the plugin's words: what is missing, and the one command of the package manager in use that
// fixes it. The bare errors (`Could not locate the bindings file`, `NODE_MODULE_VERSION`) name
// neither.

type Failure = 'not-installed' | 'not-built' | 'other-node'

/** A native driver the plugin loads: its package and addon, and what a user loses without it. */
interface NativeDriver {
  readonly name: 'better-sqlite3' | 'sqlite3'
  /** How the message names it first. */
  readonly title: string
  /** Its addon, as `bindings` looks for it. */
  readonly addon: string
  /** What cannot work without it. */
  readonly lost: string
  readonly notInstalled: string
}

const drivers: Record<NativeDriver['name'], NativeDriver> = {
  'better-sqlite3': {
    name: 'better-sqlite3',
    title: 'better-sqlite3',
    addon: 'build/Release/better_sqlite3.node',
    lost: 'no test database can be opened',
    notInstalled: 'The plugin builds every test database with it (also for apps on libSQL or an ORM), and it is a peer dependency your project installs',
  },
  sqlite3: {
    name: 'sqlite3',
    title: 'sqlite3 (node-sqlite3)',
    addon: 'build/Release/node_sqlite3.node',
    lost: "testSqlite3Database() (and Knex's sqlite3 client, Sequelize's sqlite dialect under it) cannot open a test's database",
    notInstalled: "testSqlite3Database() opens each test's database with it (as Knex's sqlite3 client and Sequelize's sqlite dialect do), and your project installs it",
  },
}

/** Whether the first line of a "not found" error names `name` itself (not better-sqlite3 for sqlite3). */
const names = (message: string, name: string) => new RegExp(`(^|[^-\\w])${name}\\b`).test(message.split('\n')[0] ?? '')

function failureOf(error: unknown, driver: NativeDriver): Failure | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as { code?: unknown }).code
  if (error.message.startsWith('Could not locate the bindings file')) return 'not-built'
  if (code === 'ERR_DLOPEN_FAILED' && error.message.includes('NODE_MODULE_VERSION')) return 'other-node'
  // Node's message, and Yarn Plug'n'Play's (an undeclared or missing peer), both name the package.
  if (code === 'MODULE_NOT_FOUND' && names(error.message, driver.name)) return 'not-installed'
  return undefined
}

const addCommand = (name: string): Record<PackageManager['name'], string> => ({
  npm: `npm install --save-dev ${name}`,
  pnpm: `pnpm add --save-dev ${name}`,
  yarn: `yarn add --dev ${name}`,
  bun: `bun add --dev ${name}`,
})

const rebuildCommand = (name: string): Record<PackageManager['name'], string> => ({
  npm: `npm rebuild ${name}`,
  pnpm: `pnpm rebuild ${name}`,
  yarn: `yarn rebuild ${name}`,
  bun: 'bun install --force',
})

const major = (version: string | undefined) => (version === undefined ? undefined : Number.parseInt(version, 10))

/** Why the build did not run under this package manager, and what runs it. */
function buildAdvice({ name, version }: PackageManager, driver: string): string {
  switch (name) {
    case 'pnpm':
      return (
        `pnpm runs no build script of a dependency until you allow it (at install it said "Ignored build scripts: ${driver}"). ` +
        (major(version) === 10
          ? `Allow it, and pnpm builds it:\n\n  pnpm approve-builds\n\nand choose ${driver}. `
          : `Allow it, and pnpm builds it:\n\n  pnpm approve-builds ${driver}\n\n(pnpm 10 asks instead: run \`pnpm approve-builds\` and choose ${driver}.) `) +
        'pnpm records it under allowBuilds in pnpm-workspace.yaml, so later installs build it too.'
      )
    case 'yarn':
      return major(version) === 1
        ? 'Its install script did not run (--ignore-scripts?). Run it:\n\n  yarn install --force'
        : `Yarn runs no build script it was not allowed to (enableScripts is off). Allow ${driver}'s in package.json,\n\n` +
            `  "dependenciesMeta": { "${driver}": { "built": true } }\n\nand run \`yarn install\`, which builds it.`
    case 'bun':
      return (
        `Its install script did not run (bun trusts ${driver} by default, unless --ignore-scripts or a trustedDependencies list ` +
        `of your own left it out). Run it:\n\n  bun install --force\n\n(or \`bun pm trust ${driver}\`, if \`bun pm untrusted\` lists it).`
      )
    default:
      return `Its install script did not run (--ignore-scripts, or ignore-scripts in .npmrc). Run it:\n\n  npm rebuild ${driver} --ignore-scripts=false`
  }
}

function message(failure: Failure, manager: PackageManager, cause: Error, driver: NativeDriver): string {
  switch (failure) {
    case 'not-installed':
      return `sqlite-fixtures: ${driver.title} is not installed. ${driver.notInstalled}:\n\n  ${addCommand(driver.name)[manager.name]}`
    case 'not-built':
      return (
        `sqlite-fixtures: ${driver.title} is installed but was never built: its native addon (${driver.addon}) ` +
        `is missing, so ${driver.lost}. ${buildAdvice(manager, driver.name)}`
      )
    case 'other-node':
      return (
        `sqlite-fixtures: ${driver.title} was built for another version of Node than this one (${process.version}), ` +
        `so it cannot load (${cause.message.split('\n').find((line) => line.includes('NODE_MODULE_VERSION')) ?? cause.message}). ` +
        `Build it again for this Node:\n\n  ${rebuildCommand(driver.name)[manager.name]}`
      )
  }
}

/**
 * The plugin's own error for a driver that cannot load, naming the package manager's fix;
 * `undefined` for any other error (a database that cannot open), which stays as it is.
 * `installedAt` is a file of this package, which tells the project's layout.
 */
export function driverUnavailable(error: unknown, installedAt: string, driverName: NativeDriver['name'] = 'better-sqlite3'): DriverUnavailableError | undefined {
  const driver = drivers[driverName]
  const failure = failureOf(error, driver)
  if (failure === undefined) return undefined
  return new DriverUnavailableError(message(failure, packageManagerOf(installedAt), error as Error, driver), { cause: error })
}
