import { expect, test } from 'vitest'
import { handoffUse, type TemplateHandoff, type TemplateInputs } from '../../src/core/template/handoff.js'

const set = (folder: string) => JSON.stringify(['drizzle', folder, {}])
const inputs = (extra: Partial<TemplateInputs> = {}): TemplateInputs => ({ schema: ['/app/db/schema.sql'], migrations: [set('/app/drizzle')], seed: '', cacheKey: '', steps: [], driver: 'better-sqlite3', ...extra })
const handed = (extra: Partial<TemplateInputs> = {}): TemplateHandoff => ({ inputs: inputs(extra), key: 'k', file: '/cache/t.sqlite', steps: [], modules: [] })

test.each([
  ['the same inputs: the template as it is', handed(), inputs(), false, 'as-is'],
  ["a seed function only the workers have (Jest's global setup took it): as it is", handed({ seed: 'function (db) => {}' }), inputs(), false, 'as-is'],
  ['a migration set the main process did not apply: on top of it', handed(), inputs({ migrations: [set('/app/drizzle'), set('/app/more')] }), false, 'base'],
  ["a layer's template steps: on top of it", handed(), inputs(), true, 'base'],
  ['a seed of the setup file, on a template without one: on top of it', handed(), inputs({ seed: 'function seed(db) {}' }), false, 'base'],
  ["a layer's steps, on a template with a seed (which must come last): the worker builds its own", handed({ seed: '["/app/seed.sql"]' }), inputs({ seed: '["/app/seed.sql"]' }), true, undefined],
  ['another schema: its own', handed(), inputs({ schema: ['/app/other.sql'] }), false, undefined],
  ['another cacheKey: its own', handed(), inputs({ cacheKey: 'v2' }), false, undefined],
  ['migration sets in another order: its own', handed({ migrations: [set('/app/b'), set('/app/a')] }), inputs({ migrations: [set('/app/a'), set('/app/b')] }), false, undefined],
  ['no main process handed one over: its own', undefined, inputs(), false, undefined],
])('%s', (_, handoff, wanted, moreSteps, use) => {
  expect(handoffUse(handoff, wanted, moreSteps)).toBe(use)
})
