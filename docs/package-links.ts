// The guides travel with the package: every link of its Markdown pages (README, CHANGELOG,
// docs/) must lead to a file the package carries, and to a heading that file has; no page
// may point at a file of the source repository that the package leaves out (a sample, a
// benchmark, the source). `tests/e2e/package.test.ts` runs this on the packed tarball.
import fs from 'node:fs'
import path from 'node:path'

/** Top-level folders and files of the repository that the package does not carry. */
const repositoryOnly = /^(fixtures|bench|compat|\.ci)\/|^tests\/(e2e|unit|support)\/|^CONTRIBUTING\.md$|^src\/(core|vitest|jest|libsql|broker|typeorm|drizzle|kysely|prisma)\//

/** A heading's anchor, as VitePress makes it (GitHub's agrees for the headings used here). */
function slugOf(heading: string): string {
  return heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
}

/** The page's text outside fenced code blocks, line by line (links in code are code). */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = []
  let fence: string | undefined
  for (const [index, line] of text.split('\n').entries()) {
    const open = /^\s*(`{3,})/.exec(line)
    if (fence === undefined && open) fence = open[1]
    else if (fence !== undefined && line.trim() === fence) fence = undefined
    else if (fence === undefined) lines.push({ line: index + 1, text: line })
  }
  return lines
}

function anchorsOf(file: string): Set<string> {
  const headings = proseLines(fs.readFileSync(file, 'utf8')).flatMap(({ text }) => {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)
    return heading ? [slugOf(heading[1] as string)] : []
  })
  return new Set(headings)
}

/** The Markdown pages of an unpacked package, relative to its root. */
function packagePages(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md') && !name.split(path.sep).includes('node_modules'))
    .sort()
}

/**
 * What is wrong with the links of an unpacked package's pages, one line each
 * (`docs/setup.md:12: ./nope.md: no such file in the package`); empty when every link holds.
 */
export function brokenLinks(root: string): string[] {
  const problems: string[] = []
  const anchors = new Map<string, Set<string>>()
  const anchorsIn = (file: string) => {
    let found = anchors.get(file)
    if (!found) anchors.set(file, (found = anchorsOf(file)))
    return found
  }
  for (const page of packagePages(root)) {
    const pageFile = path.join(root, page)
    for (const { line, text } of proseLines(fs.readFileSync(pageFile, 'utf8'))) {
      const where = `${page}:${line}`
      // Inline links and images, and reference definitions ([name]: target).
      const targets = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1] as string)
      for (const target of targets) {
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue
        const [pathPart = '', anchor] = target.split('#')
        const file = pathPart === '' ? pageFile : path.resolve(path.dirname(pageFile), decodeURI(pathPart))
        const inPackage = path.relative(root, file)
        if (inPackage.startsWith('..') || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
          problems.push(`${where}: ${target}: no such file in the package`)
        } else if (anchor !== undefined && anchor !== '' && file.endsWith('.md') && !anchorsIn(file).has(anchor)) {
          problems.push(`${where}: ${target}: ${inPackage} has no heading "#${anchor}"`)
        }
      }
      // Code spans that name a file of the repository the package leaves out.
      for (const [, span] of text.matchAll(/`([^`\s]+)`/g)) {
        const named = (span as string).replace(/^\.?\//, '')
        if (repositoryOnly.test(named)) problems.push(`${where}: \`${span}\`: a file of the source repository, not in the package`)
      }
    }
  }
  return problems
}
