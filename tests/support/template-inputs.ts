import fs from 'node:fs'
import path from 'node:path'

// The inputs of fixtures/template-inputs (and of its Jest twin), written into a scratch dir
// so that the end-to-end tests can edit them: a schema folder whose customers table is a
// symbolic link into a shared folder, Kysely, TypeORM, Knex and Sequelize migrations that
// import their rows from a constants module (and CommonJS Knex and Sequelize migrations that
// require() theirs from a helper), a Prisma migrations folder whose migration is a
// linked folder, and a seed module that imports its rows.

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

function link(target: string, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.symlinkSync(target, file)
}

/** The seed's rows, in the module the seed imports. */
export function writeCustomers(dir: string, names: readonly string[]): void {
  write(path.join(dir, 'seed/customers.ts'), `export const customers = ${JSON.stringify(names)}\n`)
}

/** The rows the Kysely, TypeORM, Knex and Sequelize migrations insert, in the module they import. */
export function writeTags(dir: string, names: readonly string[]): void {
  write(path.join(dir, 'constants.ts'), `export const tags = ${JSON.stringify(names)}\n`)
}

/** The rows the CommonJS Knex and Sequelize migrations insert, in the helper they require(). */
export function writeLabels(dir: string, names: readonly string[]): void {
  write(path.join(dir, 'labels.cjs'), `module.exports = { labels: ${JSON.stringify(names)} }\n`)
}

/** Writes every input into `dir`: customers Ada and Grace, tags red and green. */
export function writeTemplateInputs(dir: string): void {
  write(path.join(dir, 'shared/001_customers.sql'), 'create table customers (id integer primary key, name text not null);\n')
  link('../shared/001_customers.sql', path.join(dir, 'schema/001_customers.sql'))
  write(path.join(dir, 'schema/002_orders.sql'), 'create table orders (id integer primary key, customer_id integer not null references customers (id));\n')
  writeCustomers(dir, ['Ada', 'Grace'])
  write(
    path.join(dir, 'seed/seed.ts'),
    `import { customers } from './customers'

export default (db: { prepare(sql: string): { run(...values: unknown[]): unknown } }) => {
  for (const name of customers) db.prepare('insert into customers (name) values (?)').run(name)
}
`,
  )
  writeTags(dir, ['red', 'green'])
  write(
    path.join(dir, 'kysely/001_tags.ts'),
    `import { tags } from '../constants'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: any): Promise<void> {
  await db.schema.createTable('tags').addColumn('id', 'integer', (col: any) => col.primaryKey()).addColumn('name', 'text').execute()
  for (const name of tags) await db.insertInto('tags').values({ name }).execute()
}

export async function down(): Promise<void> {}
`,
  )
  write(path.join(dir, 'shared-prisma/20240101000000_notes/migration.sql'), 'CREATE TABLE "notes" ("id" INTEGER NOT NULL PRIMARY KEY, "body" TEXT);\n')
  link('../shared-prisma/20240101000000_notes', path.join(dir, 'prisma/20240101000000_notes'))
  write(
    path.join(dir, 'typeorm/migrations.ts'),
    `import { tags } from '../constants'

type Runner = { query(sql: string, values?: unknown[]): Promise<unknown> }

export class Tags1700000000001 {
  name = 'Tags1700000000001'
  async up(runner: Runner): Promise<void> {
    await runner.query('create table tags (id integer primary key, name text)')
    for (const name of tags) await runner.query('insert into tags (name) values (?)', [name])
  }
  async down(runner: Runner): Promise<void> {
    await runner.query('drop table tags')
  }
}

export const migrations = [Tags1700000000001]
`,
  )
  write(
    path.join(dir, 'knex/001_knex_tags.ts'),
    `import { tags } from '../constants'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(knex: any): Promise<void> {
  await knex.schema.createTable('knex_tags', (table: any) => table.string('name'))
  await knex('knex_tags').insert(tags.map((name) => ({ name })))
}

export async function down(): Promise<void> {}
`,
  )
  writeLabels(dir, ['plain'])
  write(
    path.join(dir, 'knex/002_knex_labels.cjs'),
    `const { labels } = require('../labels.cjs')

exports.up = async (knex) => {
  await knex.schema.createTable('knex_labels', (table) => table.string('name'))
  await knex('knex_labels').insert(labels.map((name) => ({ name })))
}
exports.down = async () => {}
`,
  )
  write(
    path.join(dir, 'sequelize/20240102000000-sequelize-labels.cjs'),
    `'use strict'
const { labels } = require('../labels.cjs')

module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable('sequelize_labels', { name: Sequelize.STRING })
    await queryInterface.bulkInsert('sequelize_labels', labels.map((name) => ({ name })))
  },
  async down() {},
}
`,
  )
  write(
    path.join(dir, 'sequelize/20240101000000-sequelize-tags.ts'),
    `import { tags } from '../constants'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(queryInterface: any, Sequelize: any): Promise<void> {
  await queryInterface.createTable('sequelize_tags', { name: Sequelize.STRING })
  await queryInterface.bulkInsert('sequelize_tags', tags.map((name) => ({ name })))
}

export async function down(): Promise<void> {}
`,
  )
}
