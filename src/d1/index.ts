// sqlite-fixtures/d1: Cloudflare D1 in the Workers Vitest pool, a fresh database per test
// from a template. This entry runs in Vitest's main process; `sqlite-fixtures/d1/setup`
// runs inside the Workers runtime (the plugin adds it to the setup files).
export { D1FixturesError } from './errors.js'
export { d1Fixtures, type D1FixturesOptions, type D1FixturesPlugin, type D1Template } from './plugin.js'
