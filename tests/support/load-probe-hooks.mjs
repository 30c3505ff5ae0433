// The module customization hooks of load-probe.mjs: they run off the main thread, and log each
// module Node's ESM loader resolves.
import fs from 'node:fs'

let target

export function initialize({ log, pid }) {
  target = { log, pid }
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  fs.appendFileSync(target.log, `${target.pid} ${resolved.url}\n`)
  return resolved
}
