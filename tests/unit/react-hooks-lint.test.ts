import path from 'node:path'
import { ESLint } from 'eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'
import { expect, test } from 'vitest'
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

/** The rule ids that fail a file, with their messages. */
async function problems(file: string): Promise<string[]> {
  const [result] = await nextStyleLint().lintFiles([path.join(repoRoot, file)])
  return (result?.messages ?? []).filter((message) => message.severity === 2).map((message) => `${message.ruleId}: ${message.message}`)
}

test.each([
  'fixtures/kysely-app/tests/setup.ts',
  'fixtures/drizzle-app/tests/setup.ts',
  'fixtures/typeorm-app/setup.ts',
  'fixtures/basic/setup.ts',
  'fixtures/jest-kysely/setup.ts',
])("React's hook rules pass on the documented setup file %s, which calls configureSqliteFixtures", async (file) => {
  expect(await problems(file)).toEqual([])
})

test('they fail on a setup file that calls the old name, useSqliteFixtures (the reason for the new one)', async () => {
  expect(await problems('fixtures/derived/setup.ts')).toEqual([
    expect.stringMatching(/^react-hooks\/rules-of-hooks: React Hook "useSqliteFixtures" cannot be called at the top level/),
  ])
})
