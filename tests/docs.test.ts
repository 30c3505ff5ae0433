import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'
import { codeBlocks, compiled, pages, type CodeBlock } from '../docs/code-blocks.js'
import { repoRoot } from './support/run-vitest.js'

const run = promisify(execFile)
const blocks = pages(repoRoot).flatMap((page) => codeBlocks(repoRoot, page))

test("every included block is its sample's file, as it is now", () => {
  const drifted = blocks
    .filter((block) => block.include !== undefined)
    .filter((block) => fs.readFileSync(path.join(repoRoot, block.include as string), 'utf8').replace(/\n$/, '') !== block.code)
    .map((block) => `${block.page}:${block.line} shows ${block.include}, which has changed: run npm run docs:sync`)
  expect(drifted).toEqual([])
})

test('every TypeScript block of the README and the guides compiles against the package, or is marked a fragment', async () => {
  // A private dir inside the repo, so 'sqlite-fixtures' resolves to this package (built) as it
  // does for a user, and 'vitest' and the rest to the repo's own node_modules.
  const dir = fs.mkdtempSync(path.join(repoRoot, '.docs-code-'))
  try {
    const byFile = new Map<string, CodeBlock>()
    for (const block of blocks.filter(compiled)) {
      const file = projectFile(block, byFile)
      byFile.set(file, block)
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      // Each block is a module of its own, so two blocks may declare the same names.
      fs.writeFileSync(path.join(dir, file), `${block.code}\nexport {}\n`)
    }
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          // Test blocks may leave out `import { test, expect } from 'vitest'`, as Vitest's docs do.
          types: ['node', 'vitest/globals'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          experimentalDecorators: true,
        },
        include: ['**/*.ts'],
      }),
    )
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc')
    const output = await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: dir }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    )
    // Each error, at its place in the page: `docs/x.md:12:5 error TS2345: ...`.
    const errors = output
      .split('\n')
      .map((line) => /^(.+?\.[cm]?ts)\((\d+),(\d+)\): (.*)$/.exec(line))
      .filter((match) => match !== null)
      .map(([, file, line, column, message]) => {
        const block = byFile.get(path.relative(dir, path.resolve(dir, file as string)).replaceAll(path.sep, '/'))
        if (block === undefined) return `${file}(${line},${column}): ${message}`
        return `${block.page}:${block.line + Number(line) - 1}:${column} ${message}`
      })
    expect(errors).toEqual([])
    expect(byFile.size).toBeGreaterThan(0)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

/**
 * Where a block goes in the check's project: each page is a small project of its own, and a
 * block that names its file (`// src/db.ts`) is that file, so the page's other blocks can
 * import it; any other block is a file of its own in `tests/`, beside the page's `src/`.
 */
function projectFile(block: CodeBlock, taken: ReadonlyMap<string, CodeBlock>): string {
  const page = block.page.replace(/\.md$/, '').replace(/[\\/.]/g, '_')
  const named = block.file === undefined ? undefined : path.posix.join(page, block.file)
  if (named !== undefined && !taken.has(named)) return named
  const where = named === undefined ? path.posix.join(page, 'tests') : path.posix.dirname(named)
  return path.posix.join(where, `block_${block.line}.ts`)
}
