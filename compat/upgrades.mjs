// The compatibility run's upgrade track: every ERESOLVE a project on an older Vitest, driver,
// ORM or Jest meets when it installs the packed package with npm, reproduced, and the fix the
// versions guide gives for each (docs/versions.md), checked to resolve. npm only resolves
// (`--package-lock-only`): nothing is downloaded but the registry's metadata.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/**
 * Each case: the project as it was (its package.json), what the user runs (the docs' install),
 * words the ERESOLVE must show (what npm names), and the fix: npm commands (none where it is
 * a plain upgrade into the plugin's range), or `overrides` in package.json and the install again.
 */
const cases = [
  {
    name: 'Vitest 3',
    project: { devDependencies: { vitest: '^3.2.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: vitest@3.', 'peerOptional vitest@"^4.1.0 || ^5.0.0" from sqlite-fixtures'],
    // The upgrade, as for Vitest 4.0 below (checked there).
    fix: [],
  },
  {
    name: 'Vitest 4.0 with @vitest/coverage-v8',
    project: { devDependencies: { vitest: '~4.0.0', '@vitest/coverage-v8': '~4.0.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: vitest@4.0.', 'from @vitest/coverage-v8@4.0.'],
    fix: [['--save-dev', 'vitest@^4.1', '@vitest/coverage-v8@^4.1', 'PACKAGE', 'better-sqlite3']],
  },
  {
    name: 'better-sqlite3 11',
    project: { dependencies: { 'better-sqlite3': '^11.0.0' }, devDependencies: { vitest: '^4.1.0' } },
    install: ['--save-dev', 'PACKAGE'],
    shows: ['Found: better-sqlite3@11.', 'from prisma@', 'from sqlite-fixtures'],
    fix: [['better-sqlite3@^12'], ['--save-dev', 'PACKAGE']],
  },
  {
    name: 'Kysely 0.27',
    project: { dependencies: { kysely: '^0.27.0' }, devDependencies: { vitest: '^4.1.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: kysely@0.27.', 'from @libsql/kysely-libsql@', 'peerOptional kysely@"^0.28.0 || ^0.29.0" from sqlite-fixtures'],
    overrides: { kysely: '$kysely' },
  },
  {
    name: 'drizzle-orm 0.34',
    project: { dependencies: { 'drizzle-orm': '~0.34.0' }, devDependencies: { vitest: '^4.1.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: drizzle-orm@0.34.', 'peerOptional drizzle-orm@">=0.35 <1 || ^1.0.0-rc" from sqlite-fixtures'],
    fix: [], // an upgrade, or overrides as for Kysely (checked there)
  },
  {
    name: 'TypeORM 0.3.27',
    project: { dependencies: { typeorm: '0.3.27' }, devDependencies: { vitest: '^4.1.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: typeorm@0.3.27', 'peerOptional typeorm@"^0.3.28 || ^1.0.0" from sqlite-fixtures'],
    fix: [], // a patch-level upgrade, typeorm@^0.3.28
  },
  {
    name: 'Prisma 6',
    project: { dependencies: { '@prisma/client': '^6.0.0' }, devDependencies: { vitest: '^4.1.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: @prisma/client@6.', 'peerOptional @prisma/client@"^7.0.0" from sqlite-fixtures'],
    overrides: { '@prisma/client': '$@prisma/client' },
  },
  {
    name: '@libsql/client 0.13',
    project: { dependencies: { '@libsql/client': '~0.13.0' }, devDependencies: { vitest: '^4.1.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: @libsql/client@0.13.', 'peerOptional @libsql/client@">=0.14.0 <1" from sqlite-fixtures'],
    fix: [], // an upgrade, or overrides of a scoped package as for Prisma (checked there)
  },
  {
    name: 'Jest 29',
    project: { devDependencies: { jest: '^29.0.0' } },
    install: ['--save-dev', 'PACKAGE', 'better-sqlite3'],
    shows: ['Found: jest@29.', 'peerOptional jest@"^30.5.0" from sqlite-fixtures'],
    fix: [], // the upgrade, jest@^30.5 (with its jest-* packages)
  },
]

async function resolve(npm, dir, args, env) {
  try {
    await execFileAsync(process.execPath, [npm, 'install', '--package-lock-only', '--no-audit', '--no-fund', '--prefer-offline', ...args], {
      cwd: dir,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    })
    return { code: 0, output: '' }
  } catch (error) {
    return { code: typeof error.code === 'number' ? error.code : 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }
  }
}

async function runCase(npm, root, tarball, env, entry) {
  const dir = path.join(root, entry.name.replace(/\W+/g, '-'))
  fs.mkdirSync(dir, { recursive: true })
  const manifest = path.join(dir, 'package.json')
  fs.writeFileSync(manifest, JSON.stringify({ name: 'project', private: true, ...entry.project }, null, 2))
  const spec = (args) => args.map((arg) => (arg === 'PACKAGE' ? `sqlite-fixtures@file:${path.relative(dir, tarball)}` : arg))
  const problems = []
  const installed = await resolve(npm, dir, spec(entry.install), env)
  const missing = entry.shows.filter((words) => !installed.output.includes(words))
  if (installed.code === 0 || !installed.output.includes('ERESOLVE') || missing.length > 0) {
    problems.push(`${entry.name}: expected an ERESOLVE showing ${JSON.stringify(missing)}, got (exit ${installed.code}):\n${installed.output.slice(0, 2000)}`)
  }
  if (entry.overrides) {
    const project = JSON.parse(fs.readFileSync(manifest, 'utf8'))
    fs.writeFileSync(manifest, JSON.stringify({ ...project, overrides: { 'sqlite-fixtures': entry.overrides } }, null, 2))
  }
  for (const args of entry.fix ?? [entry.install]) {
    const fixed = await resolve(npm, dir, spec(args), env)
    if (fixed.code !== 0) problems.push(`${entry.name}: the fix \`npm install ${args.join(' ')}\` did not resolve:\n${fixed.output.slice(0, 2000)}`)
  }
  return { name: entry.name, problems }
}

/** Runs the cases, a few at a time (npm's resolution is network-bound, and takes a core while it works). */
export async function upgradeRuns({ scratch, tarball, npm }) {
  const root = path.join(scratch, 'upgrades')
  const env = { ...process.env, npm_config_update_notifier: 'false' }
  const started = Date.now()
  const results = []
  const queue = [...cases]
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) results.push(await runCase(npm, root, tarball, env, entry))
    }),
  )
  return { cases: cases.length, problems: results.flatMap((result) => result.problems), seconds: Math.round((Date.now() - started) / 1000) }
}
