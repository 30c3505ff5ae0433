import type { TemplateHandoff } from '../core/template/index.js'

/** Jest's workers are forked after its global setup: an env var carries the template to them. */
export const handoffVariable = 'SQLITE_FIXTURES_TEMPLATE'

/** The template a global setup built, if one did. */
export function receivedHandoff(): TemplateHandoff | undefined {
  const json = process.env[handoffVariable]
  return json ? (JSON.parse(json) as TemplateHandoff) : undefined
}
