import fs from 'node:fs'
import path from 'node:path'
import { D1FixturesError } from './errors.js'

/** The Workers test pools whose runtime layout sqlite-fixtures/d1 knows (their Vitest 4 releases). */
const known = [
  { name: '@cloudflare/vitest-plugin', fits: (major: number) => major === 1, range: '1.x' },
  { name: '@cloudflare/vitest-pool-workers', fits: (major: number, minor: number) => major === 0 && minor >= 13, range: '0.13 and later 0.x' },
] as const

function installedVersion(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'node_modules', name, 'package.json')
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
    if (path.dirname(dir) === dir) return undefined
  }
}

/** Which known pool the project has installed, or a clear error naming the versions known. */
export function checkPool(root: string): string {
  const found = known.map((pool) => ({ pool, version: installedVersion(root, pool.name) })).filter((entry) => entry.version !== undefined)
  const supported = known.map((pool) => `${pool.name} ${pool.range}`).join(' or ')
  if (found.length === 0) throw new D1FixturesError(`sqlite-fixtures/d1: no Workers test pool is installed in ${root}. Install ${supported}.`)
  for (const { pool, version } of found) {
    const [major = NaN, minor = NaN] = (version as string).split('.').map(Number)
    if (pool.fits(major, minor)) return `${pool.name}@${version as string}`
  }
  throw new D1FixturesError(
    `sqlite-fixtures/d1: ${found.map(({ pool, version }) => `${pool.name}@${version as string}`).join(', ')} is not a Workers test pool this version knows; it knows ${supported}. ` +
      'Install one of those, or a newer sqlite-fixtures.',
  )
}
