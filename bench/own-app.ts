// The per-file controls of the benchmarks of node-sqlite3 stacks (bench:sqlite3, bench:knex,
// bench:sequelize), for files whose test uses the database: the same app without the seam, and
// a file that touches no database. What a layer costs a file over the plain schema is then
// (layer row - plain row) - (own-app row - untouched row): the second difference is what the
// app pays for its library anyway (loading it, its first connection and first query).
import fs from 'node:fs'
import path from 'node:path'
import type { PerFileVariant } from './per-file.js'

/** A lazy module mock of the db module that loads nothing; the test imports it and touches no database. */
export const untouchedControl: PerFileVariant = {
  name: '  control: a lazy module mock that loads nothing, the test touches no database',
  setup: "import { vi } from 'vitest'\nvi.mock('./db.js', async () => ({ db: undefined }))\n",
  test: "import { expect, test } from 'vitest'\nimport * as loaded from '../db.js'\nvoid loaded\ntest('untouched', () => expect(1 + 1).toBe(2))\n",
}

/**
 * The setup file of the same app without the seam: its db module mocked lazily onto what
 * `make` returns (code that builds the app's own instance on `file`), `file` a copy, per test
 * file, of the template's bytes (written once into `scratch`), deleted as the worker exits.
 */
export function ownAppSetup(scratch: string, image: Buffer, make: string): string {
  const template = path.join(scratch, 'own-app.sqlite')
  if (!fs.existsSync(template)) fs.writeFileSync(template, image)
  return (
    "import { vi } from 'vitest'\n" +
    "vi.mock('./db.js', async () => {\n" +
    "  const fs = await import('node:fs')\n" +
    '  const file = `${process.env.TMPDIR}/own-app-${process.pid}.sqlite`\n' +
    `  fs.copyFileSync(${JSON.stringify(template)}, file)\n` +
    "  process.once('exit', () => fs.rmSync(file, { force: true }))\n" +
    `  ${make}\n` +
    '})\n'
  )
}
