import { createRequire } from 'node:module'

/**
 * The first option of `given` that is not one of `known`, with the known name closest to it
 * (for "Did you mean ...?"); `undefined` when every name is known.
 */
export function unknownOption(given: object, known: readonly string[]): { name: string; guess: string } | undefined {
  const name = Object.keys(given).find((key) => !known.includes(key))
  if (name === undefined) return undefined
  // Loaded only here, on the error path: options are checked at the start of every test file.
  const { closest } = createRequire(import.meta.url)('fastest-levenshtein') as typeof import('fastest-levenshtein')
  return { name, guess: closest(name, [...known]) }
}
