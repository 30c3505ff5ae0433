import { defineConfig } from 'vitepress'

// The guides read as plain Markdown on GitHub, and build into a site with VitePress
// (`npm run docs:build`, run by `npm test`, so a broken link or page fails the tests).
export default defineConfig({
  title: 'sqlite-fixtures',
  description: 'A fresh, migrated SQLite database for every Vitest and Jest test.',
  cleanUrls: true,
  // The pages link to nothing outside docs/ but the changelog, which the package carries
  // beside them (tests/e2e/package.test.ts checks every link of the packed pages).
  ignoreDeadLinks: [/^(\.\/)?\.\.\/CHANGELOG(\.md)?$/],
  themeConfig: {
    nav: [{ text: 'Guides', link: '/setup' }],
    sidebar: [
      {
        text: 'Start',
        items: [
          { text: 'Installing', link: '/install' },
          { text: 'Set-up and options', link: '/setup' },
          { text: "The app's database", link: '/app-database' },
          { text: 'Ownership', link: '/ownership' },
          { text: 'Layers and the broker', link: '/layers' },
        ],
      },
      {
        text: 'ORMs and drivers',
        items: [
          { text: 'better-sqlite3', link: '/better-sqlite3' },
          { text: 'TypeORM', link: '/typeorm' },
          { text: 'Drizzle', link: '/drizzle' },
          { text: 'Kysely', link: '/kysely' },
          { text: 'Prisma', link: '/prisma' },
          { text: 'libSQL', link: '/libsql' },
          { text: 'node-sqlite3', link: '/sqlite3' },
          { text: 'Knex', link: '/knex' },
          { text: 'Sequelize', link: '/sequelize' },
          { text: 'Cloudflare D1', link: '/d1' },
        ],
      },
      {
        text: 'Running',
        items: [
          { text: 'Jest', link: '/jest' },
          { text: 'Failures and diagnostics', link: '/failures' },
          { text: 'CI and the cache', link: '/ci' },
          { text: 'Watch mode and projects', link: '/watch' },
          { text: 'Performance', link: '/performance' },
          { text: 'Supported versions', link: '/versions' },
        ],
      },
      { text: 'Design', items: [{ text: 'How it works', link: '/how-it-works' }] },
    ],
  },
})
