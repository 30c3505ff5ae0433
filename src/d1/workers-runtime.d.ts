// The few Workers runtime APIs the setup file uses (it runs inside workerd, under the pool).
declare module 'cloudflare:test' {
  export const env: Record<string, unknown>
  export function abortAllDurableObjects(): Promise<void>
}
