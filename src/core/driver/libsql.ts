import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type LibsqlConnection, requirePackage, SqliteFixturesConfigError } from '../base/index.js'

// The driver seam's libSQL builder: for an app on `@libsql/client`, the template is built by
// libSQL itself, on a file (libSQL's SQL, its migrators' semantics), then handed over as
// better-sqlite3's is. `@libsql/client` is the app's own, loaded on first use; only what the
// build calls of it is named here.

interface LibsqlModule {
  createClient(config: { url: string }): LibsqlConnection
}

const require = createRequire(import.meta.url)

function libsqlModule(): LibsqlModule {
  try {
    return requirePackage<LibsqlModule>('@libsql/client')
  } catch (error) {
    throw new SqliteFixturesConfigError(
      "sqlite-fixtures: option driver 'libsql' builds the template with @libsql/client, which cannot be loaded " +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Install it (npm i -D @libsql/client), or leave driver unset.`,
      { cause: error },
    )
  }
}

/** A libSQL client on a database file (made if missing), as the app's own `createClient({ url: 'file:...' })` opens it. */
export function openLibsqlFile(file: string): LibsqlConnection {
  return libsqlModule().createClient({ url: pathToFileURL(file).href })
}

/** `@libsql/client`'s version, for the template's cache key (its package.json is not among its exports: found beside its entry). */
export function libsqlVersion(): string {
  let dir = path.dirname(require.resolve('@libsql/client'))
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    const found = fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version?: string }) : undefined
    if (found?.name === '@libsql/client') return found.version ?? 'unknown'
    const parent = path.dirname(dir)
    if (parent === dir) return 'unknown'
    dir = parent
  }
}
