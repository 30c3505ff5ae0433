import { deprecated } from './notices.js'

/** Notes a call of `useSqliteFixtures()`, the old name of `configureSqliteFixtures()`. */
export function noteUseSqliteFixtures(entry: string): void {
  deprecated(
    'useSqliteFixtures',
    `sqlite-fixtures: useSqliteFixtures() is deprecated: call configureSqliteFixtures() from '${entry}' instead, with the same ` +
      "options. Only the name changed, and the new one keeps React's rules-of-hooks lint rule quiet: it takes any use...() " +
      'call at the top of a setup file for a misplaced hook. useSqliteFixtures() goes in the next major version.',
  )
}
