import { BrokerError } from './errors.js'

// Checks on what callers hand the broker, made before anything is stored.

/** Payloads are stored as JSON; what JSON cannot hold is refused now, not lost quietly. */
export function serializePayload(topic: string, payload: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(payload)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new BrokerError(`sqlite-fixtures: the payload published to "${topic}" cannot be stored as JSON: ${reason}.`, {
      cause: error,
    })
  }
  if (json === undefined) {
    throw new BrokerError(
      `sqlite-fixtures: the payload published to "${topic}" is ${typeof payload}, which JSON cannot hold. ` +
        'Publish a plain value: an object, array, string, number, boolean or null.',
    )
  }
  return json
}

export function checkHeaders(topic: string, headers: unknown): Record<string, string> {
  if (headers === undefined) return {}
  const ok =
    typeof headers === 'object' &&
    headers !== null &&
    !Array.isArray(headers) &&
    Object.values(headers).every((value) => typeof value === 'string')
  if (!ok) throw new BrokerError(`sqlite-fixtures: headers of a message to "${topic}" must be an object of strings.`)
  return headers as Record<string, string>
}

export function checkTopic(method: string, topic: unknown): string {
  if (typeof topic !== 'string' || topic === '') {
    throw new BrokerError(
      `sqlite-fixtures: broker.${method}() needs a topic, a non-empty string; got ${JSON.stringify(topic) ?? String(topic)}.`,
    )
  }
  return topic
}

/** A duration in ms, >= 0; `undefined` is 0. */
export function checkDelay(what: string, ms: unknown): number {
  if (ms === undefined) return 0
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new BrokerError(`sqlite-fixtures: ${what} must be a number of milliseconds >= 0, got ${String(ms)}.`)
  }
  return ms
}

/** A number option at least `min` (and an integer if asked). */
export function checkNumber(what: string, value: unknown, min: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new BrokerError(`sqlite-fixtures: ${what} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}.`)
  }
  return value
}
