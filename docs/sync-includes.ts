// `npm run docs:sync`: rewrites each `<!-- include: path -->` block of the README and the
// guides from the file it shows (a sample's vitest.config.ts, say), so they cannot drift.
import { fileURLToPath } from 'node:url'
import { pages, syncIncludes } from './code-blocks.js'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
for (const page of pages(repoRoot)) {
  if (syncIncludes(repoRoot, page)) console.log(`synced ${page}`)
}
