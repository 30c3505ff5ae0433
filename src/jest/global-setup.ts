// The entry for Jest's `globalSetup` module: it runs in Jest's main process, outside any
// test environment, so it must not load the hooks (which import '@jest/globals').
export { globalSetup } from './handoff.js'
