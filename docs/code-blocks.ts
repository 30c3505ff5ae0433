// The docs' code, checked: every TypeScript block in README.md and docs/ compiles against the
// package's own types, is a sample's file included whole (and equal to it), or is marked as a
// fragment on purpose (```ts fragment). `npm test` runs the check (tests/docs.test.ts);
// `npm run docs:sync` rewrites the included blocks from their files.
import fs from 'node:fs'
import path from 'node:path'

/** One fenced code block of a page. */
export interface CodeBlock {
  /** The page, relative to the repo root. */
  readonly page: string
  /** The line of the page the code starts on (after the opening fence). */
  readonly line: number
  readonly lang: string
  /** Words after the language: `fragment` marks a block that is not meant to compile alone. */
  readonly meta: string
  readonly code: string
  /** The indent of the fence, taken off every line of `code`. */
  readonly indent: string
  /** The repo file the block shows whole, from an `<!-- include: path -->` line just above it. */
  readonly include: string | undefined
  /**
   * The file the block is, from a first line such as `// tests/setup.ts`: the check writes it
   * there, in a small project of the page's own, so the page's blocks can import each other
   * (`import { db } from '../src/db.js'`).
   */
  readonly file: string | undefined
}

// A fence may be indented (a block inside a list item): its lines carry the indent.
const fence = /^([ \t]*)(`{3,})(\w*)[ \t]*(.*)$/
const includeLine = /^<!--\s*include:\s*(\S+)\s*-->$/
const fileLine = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.[cm]?ts)\b/

/** The pages whose code is checked: the README and every page under docs/. */
export function pages(repoRoot: string): string[] {
  const docs = path.join(repoRoot, 'docs')
  const found = fs
    .readdirSync(docs, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md') && !name.split(path.sep).some((part) => part.startsWith('.') || part === 'node_modules'))
    .map((name) => path.join('docs', name))
  return ['README.md', ...found.sort()]
}

/** The fenced code blocks of one page, with their language, marks and includes. */
export function codeBlocks(repoRoot: string, page: string): CodeBlock[] {
  const lines = fs.readFileSync(path.join(repoRoot, page), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i] as string)
    if (!open) continue
    const [, indent = '', ticks, lang = '', meta = ''] = open
    const end = lines.findIndex((line, j) => j > i && line.trim() === ticks)
    if (end === -1) throw new Error(`${page}:${i + 1}: a code block that never closes`)
    const above = lines.slice(0, i).reverse().find((line) => line.trim() !== '') ?? ''
    const code = lines
      .slice(i + 1, end)
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()))
      .join('\n')
    blocks.push({
      page,
      line: i + 2,
      lang,
      meta: meta.trim(),
      code,
      indent,
      include: includeLine.exec(above.trim())?.[1],
      file: fileLine.exec(code)?.[1],
    })
    i = end
  }
  return blocks
}

/** Whether a block is TypeScript the check compiles: not included from a file, not a fragment. */
export function compiled(block: CodeBlock): boolean {
  return (block.lang === 'ts' || block.lang === 'typescript') && block.include === undefined && !/\bfragment\b/.test(block.meta)
}

/** Rewrites every included block of a page from its file; returns whether the page changed. */
export function syncIncludes(repoRoot: string, page: string): boolean {
  const file = path.join(repoRoot, page)
  const text = fs.readFileSync(file, 'utf8')
  const lines = text.split('\n')
  for (const block of codeBlocks(repoRoot, page).reverse()) {
    if (block.include === undefined) continue
    const source = fs.readFileSync(path.join(repoRoot, block.include), 'utf8').replace(/\n$/, '')
    const shown = source.split('\n').map((line) => (line === '' ? '' : block.indent + line))
    lines.splice(block.line - 1, block.code === '' ? 0 : block.code.split('\n').length, ...shown)
  }
  const synced = lines.join('\n')
  if (synced !== text) fs.writeFileSync(file, synced)
  return synced !== text
}
