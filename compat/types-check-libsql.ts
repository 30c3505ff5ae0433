// Compiled (not run) by compat/run.mjs where @libsql/client is installed: the libSQL entries
// are typed against this entry's @libsql/client, Kysely and Prisma.
import type { Client } from '@libsql/client'
import { drizzleLayer } from 'sqlite-fixtures/drizzle/libsql'
import { kyselyLayer } from 'sqlite-fixtures/kysely/libsql'
import { testLibsqlClient } from 'sqlite-fixtures/libsql'
import { testPrismaAdapter } from 'sqlite-fixtures/prisma/libsql'

const client: Client = testLibsqlClient({ intMode: 'bigint' })
void client.execute({ sql: 'select ?', args: [1n] }).then((result) => result.rows[0]?.[0])
void client.transaction('read').then((tx) => tx.commit())

// @ts-expect-error: intMode takes libSQL's modes only.
testLibsqlClient({ intMode: 'float' })

export const layers = [
  kyselyLayer({ migrationFolder: '/app/migrations', intMode: 'number' }),
  drizzleLayer({ migrationsFolder: 'drizzle' }),
]
export const adapter = testPrismaAdapter({ intMode: 'bigint', timestampFormat: 'unixepoch-ms' })
