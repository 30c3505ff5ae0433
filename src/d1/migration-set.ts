import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { MigrationSet, MigrationSteps, TemplateStep } from '../core/base/index.js'
import { applyScript } from '../core/template/index.js'
import { D1FixturesError } from './errors.js'

/** Wrangler's default table of applied migrations (`migrations_table` in the wrangler config). */
export const defaultMigrationsTable = 'd1_migrations'

/** The set of a D1 migrations folder, with its table spelled out, so equal sets have equal identities. */
export function d1Set(folder: string, migrationsTable = defaultMigrationsTable): MigrationSet {
  return { orm: 'd1', folder, settings: { migrationsTable } }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** The table `wrangler d1 migrations apply` creates, as it writes it. */
function createTableSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)}(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`
}

/** The folder's migrations as wrangler finds them: its top-level `.sql` files, in name order. */
function migrationFiles(folder: string): string[] {
  let names: string[]
  try {
    names = fs.readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.sql')).map((entry) => entry.name)
  } catch (error) {
    throw new D1FixturesError(
      `sqlite-fixtures/d1: cannot read the D1 migrations folder ${folder} (${(error as Error).message}). ` +
        "Give the folder of your wrangler config's migrations_dir (default: migrations), relative to the Vitest root.",
      { cause: error },
    )
  }
  return names.sort()
}

/**
 * The template steps of a D1 migrations folder, one per migration in name order: each applied,
 * then recorded in the migrations table, as `wrangler d1 migrations apply` does, so that the
 * app's own check of applied migrations (and `applyD1Migrations()`) finds them all applied.
 * A failing statement is named with its file and line.
 */
export const migrationSteps: MigrationSteps = (set) => {
  const folder = set.folder
  const table = typeof set.settings?.migrationsTable === 'string' ? set.settings.migrationsTable : defaultMigrationsTable
  const steps = migrationFiles(folder).map((name): TemplateStep => {
    const file = path.join(folder, name)
    const sql = fs.readFileSync(file, 'utf8')
    return {
      name: `D1 migration ${name}`,
      fingerprint: createHash('sha256').update(`${table}\0${sql}`).digest('hex'),
      files: [folder],
      apply: (db, scratch) => {
        db.exec(createTableSql(table))
        applyScript(db, sql, file, scratch)
        db.prepare(`INSERT INTO ${quoteIdentifier(table)} (name) VALUES (?)`).run(name)
      },
    }
  })
  if (steps.length === 0) throw new D1FixturesError(`sqlite-fixtures/d1: the D1 migrations folder ${folder} holds no .sql file.`)
  return Promise.resolve(steps)
}
