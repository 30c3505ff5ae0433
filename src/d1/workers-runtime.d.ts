// The few Workers runtime APIs the setup file uses (it runs inside workerd, under the pool).
// Read through namespace imports: an export an older pool lacks is then undefined, not a link error.
declare module 'cloudflare:test' {
  export const env: Record<string, unknown>
  export function abortAllDurableObjects(): Promise<void>
  /** The worker itself, as a service (older pools' way to call it). */
  export const SELF: unknown
}
declare module 'cloudflare:workers' {
  /** The worker's own entrypoints as loopback services (`exports.default.fetch`). */
  export const exports: Readonly<Record<string, unknown>> | undefined
}
