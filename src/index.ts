export * from './core/public.js'
