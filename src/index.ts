export * from './core/public.js'
export * from './broker/index.js'
