import type { SqliteFixturesOptions } from '../core/base/index.js'
import type { TemplateHandoff } from '../core/template/index.js'

/** Jest's workers are forked after its global setup: an env var carries the template to them. */
export const handoffVariable = 'SQLITE_FIXTURES_TEMPLATE'

/** What Jest's global setup hands the workers: its options (the plain-data ones) and the template it built from them. */
export interface JestHandoff {
  readonly options: SqliteFixturesOptions
  readonly template: TemplateHandoff
}

/** What a global setup handed over, if one did. */
export function receivedHandoff(): JestHandoff | undefined {
  const json = process.env[handoffVariable]
  return json ? (JSON.parse(json) as JestHandoff) : undefined
}
