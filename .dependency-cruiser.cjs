// The layering of src/, checked by `npm run lint` (CONTRIBUTING.md explains the rooms).
// Imports run one way: runners and ORM layers on top of the core, and inside the core each
// room on the rooms below it only.

/** The core's rooms, bottom first: a room may import the rooms before it, never those after. */
const rooms = ['base', 'driver', 'template', 'diagnostics', 'lifecycle', 'access']
const runners = '^src/(vitest|jest|d1)/'
const ormLayers = '^src/(typeorm|drizzle|kysely|prisma|knex|sequelize)/'
/** App-side database clients other than better-sqlite3 (libSQL, node-sqlite3): ORM layers may build on them. */
const drivers = '^src/(libsql|sqlite3)/'
const runnerPackages = '(^|/)node_modules/(vitest|@vitest|jest|jest-[a-z-]+|@jest)/'
const ormPackages = '(^|/)node_modules/(typeorm|drizzle-orm|kysely|@prisma|@libsql|libsql|knex|sequelize|sequelize-typescript|sqlite3)/'

/** Modules imported by path, with `import()`, so that only the processes that build a template load them. */
const lazilyLoaded = ['^src/core/template/template\\.ts$', '^src/core/template/prebuild\\.ts$']

const roomOrder = rooms.slice(0, -1).map((room, index) => ({
  name: `core-${room}-stays-below`,
  comment: `core/${room} is below ${rooms.slice(index + 1).join(', ')}: it may not import them.`,
  severity: 'error',
  from: { path: `^src/core/${room}/` },
  to: { path: `^src/core/(${rooms.slice(index + 1).join('|')})/` },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles anywhere in src (type imports too).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-runner-and-orm-free',
      comment: 'The core never imports a runner adapter, an ORM layer, a driver or the broker.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: `${runners}|${ormLayers}|${drivers}|^src/broker/` },
    },
    {
      name: 'core-imports-no-runner-or-orm-package',
      comment: 'The core never loads vitest, jest or an ORM: it is the runner-agnostic, ORM-agnostic part.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional'], path: `${runnerPackages}|${ormPackages}` },
    },
    {
      name: 'layers-import-no-runner',
      comment: 'ORM layers, drivers and the broker work under every runner: they never import one.',
      severity: 'error',
      from: { path: `${ormLayers}|${drivers}|^src/broker/` },
      to: { path: runners },
    },
    {
      name: 'layers-import-no-runner-package',
      comment: 'ORM layers, drivers and the broker never load vitest or jest.',
      severity: 'error',
      from: { path: `${ormLayers}|${drivers}|^src/broker/` },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-peer', 'npm-optional'], path: runnerPackages },
    },
    {
      name: 'orm-layers-stand-alone',
      comment: 'An ORM layer never imports another ORM layer (it may build on a driver).',
      severity: 'error',
      from: { path: '^src/(typeorm|drizzle|kysely|prisma|knex|sequelize)/' },
      to: { path: ormLayers, pathNot: '^src/$1/' },
    },
    {
      name: 'drivers-import-no-orm-layer',
      comment: 'A driver stands below the ORM layers: it never imports one.',
      severity: 'error',
      from: { path: drivers },
      to: { path: ormLayers },
    },
    {
      name: 'rooms-meet-at-their-index',
      comment:
        "A core room is reached from outside through its index.ts, which says what it offers; only the template's " +
        'building code is imported by path, lazily, so a worker that never builds one never loads it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/core/[^/]+/' },
      to: { path: '^src/core/[^/]+/', pathNot: ['/index\\.ts$', ...lazilyLoaded] },
    },
    {
      name: 'rooms-meet-at-their-index-inside-core',
      comment: 'Inside the core too, one room reaches another through its index.ts.',
      severity: 'error',
      from: { path: '^src/core/([^/]+)/' },
      to: { path: '^src/core/[^/]+/', pathNot: ['^src/core/$1/', '/index\\.ts$', ...lazilyLoaded] },
    },
    ...roomOrder,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
}
