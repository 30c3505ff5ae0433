import path from 'node:path'
import { ESLint } from 'eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'
import { expect, test } from 'vitest'
import { codeBlocks, pages } from '../../docs/code-blocks.js'
import { repoRoot } from '../support/run-vitest.js'

/** ESLint as a Next.js project runs it in its pre-commit hook: TypeScript, with React's hook rules. */
function nextStyleLint(): ESLint {
  return new ESLint({
    cwd: repoRoot,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      reactHooks.configs.flat['recommended-latest'],
    ],
  })
}

/** The rule ids that fail a file (or, with `text`, that text linted as the file), with their messages. */
async function problems(file: string, text?: string): Promise<string[]> {
  const lint = nextStyleLint()
  const filePath = path.join(repoRoot, file)
  const [result] = text === undefined ? await lint.lintFiles([filePath]) : await lint.lintText(text, { filePath })
  return (result?.messages ?? []).filter((message) => message.severity === 2).map((message) => `${message.ruleId}: ${message.message}`)
}

/** The TypeScript blocks of the README and the guides that configure the plugin in a setup file. */
const readmeSetupFiles = pages(repoRoot)
  .flatMap((page) => codeBlocks(repoRoot, page))
  .filter((block) => block.lang === 'ts' && block.code.includes('configureSqliteFixtures('))
  .map((block) => block.code)

test.each([
  'fixtures/kysely-app/tests/setup.ts',
  'fixtures/drizzle-app/tests/setup.ts',
  'fixtures/typeorm-app/setup.ts',
  'fixtures/basic/setup.ts',
  'fixtures/jest-kysely/setup.ts',
])("React's hook rules pass on the documented setup file %s, which calls configureSqliteFixtures", async (file) => {
  expect(await problems(file)).toEqual([])
})

test("React's hook rules pass on every setup file the README and the guides show", async () => {
  expect(readmeSetupFiles.length).toBeGreaterThan(5)
  for (const [index, block] of readmeSetupFiles.entries()) {
    expect([index, await problems('tests/readme-setup.ts', block)]).toEqual([index, []])
  }
})

test('they fail on a setup file that calls the old name, useSqliteFixtures (the reason for the new one)', async () => {
  expect(await problems('fixtures/derived/setup.ts')).toEqual([
    expect.stringMatching(/^react-hooks\/rules-of-hooks: React Hook "useSqliteFixtures" cannot be called at the top level/),
  ])
})
