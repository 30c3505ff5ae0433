export * from './core/public.js'
export { testDatabase } from './core/access/index.js'
export * from './broker/index.js'
