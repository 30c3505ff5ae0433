// The Next.js-like app of `npm run bench:nextjs-app`, written into a scratch dir: the shape
// of the real app issue 29 measured (Drizzle on better-sqlite3, 36 test files, 15 of them
// never touching the database, whose tests await many times as component and handler tests
// do; the app's own setup a hand-written CREATE script per test), small enough to generate.
// BENCH_NEXT_VARIANT picks the setup: `own` (each database test: a new `:memory:` database
// and the CREATE script, the app's own way), `control` (the same, with a second, empty setup
// file: what Vitest itself charges for the plugin's) or `plugin` (the Drizzle migrations given
// to the plugin, a fresh copy of the template per test).
import fs from 'node:fs'
import path from 'node:path'
import { timingReporterSource } from './timing-reporter.js'

/** Test files that use the database, and files that never do. */
export const databaseFiles = 21
export const pureFiles = 15
/** 36 x 15 = 540 tests, the real app's 532 or so. */
export const testsPerFile = 15
/** The app's tables: users, projects and tasks, which the tests use, and more of the same shape. */
const tableCount = 14

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
  fs.writeFileSync(path.join(root, file), text)
}

const pad = (n: number) => String(n).padStart(2, '0')
const tableNames = ['users', 'projects', 'tasks', ...Array.from({ length: tableCount - 3 }, (_, i) => `records_${pad(i + 4)}`)]

/** The CREATE script: the app's hand-written one, and the statements of its one Drizzle migration. */
function createStatements(): string[] {
  return tableNames.flatMap((name, i) => {
    const parent = i > 0 ? `, "parent_id" integer REFERENCES "${tableNames[i - 1]}"("id")` : ''
    return [
      `CREATE TABLE "${name}" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" text NOT NULL, "status" text DEFAULT 'new' NOT NULL, ` +
        `"amount" integer DEFAULT 0 NOT NULL, "note" text, "created_at" integer DEFAULT (unixepoch()) NOT NULL${parent})`,
      `CREATE INDEX "${name}_name_idx" ON "${name}" ("name")`,
      `CREATE INDEX "${name}_status_idx" ON "${name}" ("status","created_at")`,
    ]
  })
}

function drizzleSchema(): string {
  const tables = tableNames.map((name, i) => {
    const parent = i > 0 ? `\n  parentId: integer('parent_id').references(() => ${tableNames[i - 1]}.id),` : ''
    return `export const ${name} = sqliteTable('${name}', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  status: text('status').notNull().default('new'),
  amount: integer('amount').notNull().default(0),
  note: text('note'),
  createdAt: integer('created_at').notNull().default(sql\`(unixepoch())\`),${parent}
}, (t) => [index('${name}_name_idx').on(t.name), index('${name}_status_idx').on(t.status, t.createdAt)])
`
  })
  return `import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

${tables.join('\n')}`
}

function databaseTest(file: number): string {
  const tests = Array.from(
    { length: testsPerFile },
    (_, i) => `test('project ${file}.${i}', async () => {
  const owner = await createUser('user ${file}.${i}')
  const project = await createProject(owner.id, 'project ${i}')
  await addTask(project.id, 'first')
  await addTask(project.id, 'second')
  expect(await openTasks(project.id)).toEqual(['first', 'second'])
  expect(await userCount()).toBe(1)
})
`,
  ).join('\n')
  return `import { expect, test } from 'vitest'
import { addTask, createProject, createUser, openTasks, userCount } from '../src/projects.js'

${tests}`
}

/** A component or handler test: a tree of async renders and a middleware chain, a few hundred promises, no database. */
function pureTest(file: number): string {
  const tests = Array.from(
    { length: testsPerFile },
    (_, i) => `test('page ${file}.${i}', async () => {
  const html = await renderPage({ title: 'Page ${i}', items: ${3 + (i % 3)} })
  expect(html).toContain('Page ${i}')
  const response = await handle({ path: '/api/items/${i}', user: 'u${file}' })
  expect(response.status).toBe(200)
  expect(response.body).toContain('${i}')
})
`,
  ).join('\n')
  return `import { expect, test } from 'vitest'
import { handle } from '../src/api.js'
import { renderPage } from '../src/page.js'
import { recordCpuPerTest } from './cpu.js'

recordCpuPerTest(${testsPerFile})

${tests}`
}

/** Writes the app and its tests into `root` (which the installer then gives a node_modules). */
export function writeNextjsApp(root: string): void {
  const statements = createStatements()
  write(root, 'src/schema.ts', drizzleSchema())
  write(root, 'src/db.ts', `import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema.js'

// The app's one database. Tests replace this module (tests/setup.ts): a run never opens app.db.
export const sqlite = new Database(process.env.APP_DB ?? 'app.db')
export const db = drizzle({ client: sqlite, schema })
`)
  write(root, 'src/projects.ts', `import { and, count, eq } from 'drizzle-orm'
import { db } from './db.js'
import { projects, tasks, users } from './schema.js'

export async function createUser(name: string) {
  return db.insert(users).values({ name }).returning().get()
}

export async function createProject(ownerId: number, name: string) {
  return db.insert(projects).values({ name, parentId: ownerId }).returning().get()
}

export async function addTask(projectId: number, name: string): Promise<void> {
  db.insert(tasks).values({ name, parentId: projectId }).run()
}

export async function openTasks(projectId: number): Promise<string[]> {
  const rows = db.select({ name: tasks.name }).from(tasks).where(and(eq(tasks.parentId, projectId), eq(tasks.status, 'new'))).orderBy(tasks.id).all()
  return rows.map((row) => row.name)
}

export async function userCount(): Promise<number> {
  return db.select({ n: count() }).from(users).get()?.n ?? 0
}
`)
  // Pure code of the kind UI and handler tests exercise: many small awaits, no database.
  write(root, 'src/page.ts', `interface Props {
  readonly title: string
  readonly items: number
}

async function fetchLabel(key: string): Promise<string> {
  await null
  return key.toUpperCase()
}

async function renderNode(label: string, depth: number): Promise<string> {
  if (depth === 0) return \`<li>\${await fetchLabel(label)}</li>\`
  const children: string[] = []
  for (let i = 0; i < 3; i++) children.push(await renderNode(\`\${label}.\${i}\`, depth - 1))
  return \`<ul>\${children.join('')}</ul>\`
}

/** Renders a page: a list per item, each a small tree of async components. */
export async function renderPage(props: Props): Promise<string> {
  const sections = await Promise.all(Array.from({ length: props.items }, (_, i) => renderNode(\`item \${i}\`, 2)))
  await new Promise((resolve) => setImmediate(resolve))
  return \`<main><h1>\${props.title}</h1>\${sections.join('')}</main>\`
}
`)
  write(root, 'src/api.ts', `interface Request {
  readonly path: string
  readonly user: string
}

interface Response {
  status: number
  body: string
  headers: Record<string, string>
}

type Middleware = (request: Request, next: () => Promise<Response>) => Promise<Response>

const middlewares: Middleware[] = Array.from({ length: 12 }, (_, i) => async (request, next) => {
  await Promise.resolve()
  const response = await next()
  response.headers[\`x-layer-\${i}\`] = request.user
  return response
})

async function route(request: Request): Promise<Response> {
  const id = request.path.split('/').at(-1) ?? ''
  const item = await Promise.resolve({ id, name: \`item \${id}\` })
  return { status: 200, body: JSON.stringify(item), headers: {} }
}

/** Runs a request through the middleware chain to its route. */
export function handle(request: Request): Promise<Response> {
  const run = (at: number): Promise<Response> => (at === middlewares.length ? route(request) : (middlewares[at] as Middleware)(request, () => run(at + 1)))
  return run(0)
}
`)
  // The app's own setup (BENCH_NEXT_VARIANT=own): the hand-written script, run on a new database before each test.
  write(root, 'tests/create-script.ts', `export const createScript = ${JSON.stringify(statements.map((sql) => `${sql};`).join('\n'))}\n`)
  write(root, 'tests/own-database.ts', `import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { afterEach, beforeEach } from 'vitest'
import * as schema from '../src/schema.js'
import { createScript } from './create-script.js'

type Drizzle = ReturnType<typeof drizzle<typeof schema>>
let sqlite: Database.Database | undefined
let current: Drizzle | undefined

// Registered when a test file first imports the app's db module: that file's tests each get a new database.
beforeEach(() => {
  sqlite = new Database(':memory:')
  sqlite.pragma('foreign_keys = ON')
  sqlite.exec(createScript)
  current = drizzle({ client: sqlite, schema })
})
afterEach(() => {
  sqlite?.close()
  sqlite = current = undefined
})

export const db = new Proxy({} as Drizzle, {
  get: (_, name) => {
    const value: unknown = Reflect.get(current as Drizzle, name)
    return typeof value === 'function' ? value.bind(current) : value
  },
})
`)
  // The CPU time the process spent from a pure file's first test to its last, per test
  // (hooks and the runner's own work between tests included): the machine's load moves it
  // less than a wall time.
  write(root, 'tests/cpu.ts', `import fs from 'node:fs'
import { afterAll, beforeAll } from 'vitest'

export function recordCpuPerTest(tests: number): void {
  let start: NodeJS.CpuUsage | undefined
  beforeAll(() => {
    start = process.cpuUsage()
  })
  afterAll(() => {
    const used = process.cpuUsage(start)
    if (process.env.BENCH_NEXT_CPU) fs.appendFileSync(process.env.BENCH_NEXT_CPU, \`\${(used.user + used.system) / tests}\\n\`)
  })
}
`)
  write(root, 'tests/empty-setup.ts', '// A setup file that does nothing: what Vitest charges a file for a second one (BENCH_NEXT_VARIANT=control).\nexport {}\n')
  write(root, 'tests/setup.ts', `import { vi } from 'vitest'

// The project's own setup file: the app's db module, replaced for every test file that imports it.
vi.mock('../src/db.js', async () => {
  if (process.env.BENCH_NEXT_VARIANT !== 'plugin') {
    const { db } = await import('./own-database.js')
    return { db }
  }
  const { drizzle } = await import('drizzle-orm/better-sqlite3')
  const { testDatabase } = await import('sqlite-fixtures/vitest')
  const schema = await import('../src/schema.js')
  const sqlite = testDatabase()
  return { sqlite, db: drizzle({ client: sqlite, schema }) }
})
`)
  const folder = 'drizzle'
  write(root, `${folder}/0000_init.sql`, statements.map((sql) => `${sql};`).join('\n--> statement-breakpoint\n'))
  write(root, `${folder}/meta/_journal.json`, JSON.stringify({ version: '7', dialect: 'sqlite', entries: [{ idx: 0, version: '6', when: 1_700_000_000_000, tag: '0000_init', breakpoints: true }] }))
  write(
    root,
    'vitest.config.ts',
    `import { defineConfig } from 'vitest/config'
import { drizzleMigrations } from 'sqlite-fixtures/drizzle'
import { sqliteFixtures } from 'sqlite-fixtures/vitest'
import TimingReporter from './timing-reporter.js'

const variant = process.env.BENCH_NEXT_VARIANT
export default defineConfig({
  plugins: variant === 'plugin' ? [sqliteFixtures({ migrations: [drizzleMigrations({ folder: '${folder}' })] })] : [],
  // BENCH_NEXT_VARIANT=control: the app's own setup and a second, empty setup file, as the plugin adds one.
  test: {
    setupFiles: [...(variant === 'control' ? ['./tests/empty-setup.ts'] : []), './tests/setup.ts'],
    include: ['tests/*.test.ts'],
    reporters: ['default', new TimingReporter()],
    // BENCH_NEXT_COMPILE_CACHE: the workers keep their compiled code there (Node 22.1+), as the plugin's do in its cache dir.
    ...(process.env.BENCH_NEXT_COMPILE_CACHE ? { env: { NODE_COMPILE_CACHE: process.env.BENCH_NEXT_COMPILE_CACHE } } : {}),
  },
})
`,
  )
  write(
    root,
    'timing-reporter.ts',
    timingReporterSource('BENCH_NEXT_TIMINGS', [
      { key: 'database', prefix: 'db-', measure: 'spent' },
      { key: 'pure', prefix: 'pure-', measure: 'spent' },
      { key: 'pureSetup', prefix: 'pure-', measure: 'setup' },
      { key: 'pureTests', prefix: 'pure-', measure: 'tests' },
    ]),
  )
  for (let i = 0; i < databaseFiles; i++) write(root, `tests/db-${pad(i)}.test.ts`, databaseTest(i))
  for (let i = 0; i < pureFiles; i++) write(root, `tests/pure-${pad(i)}.test.ts`, pureTest(i))
}
