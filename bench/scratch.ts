// Every benchmark writes into one scratch dir under the OS temp dir: removed when the run
// succeeds, kept (and its path printed) when it fails, so what went wrong can be looked at.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export async function withScratch<T>(prefix: string, run: (scratch: string) => Promise<T>): Promise<T> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  let result: T
  try {
    result = await run(scratch)
  } catch (error) {
    process.stderr.write(`benchmark failed; kept its scratch dir: ${scratch}\n`)
    throw error
  }
  if (process.env.BENCH_KEEP_SCRATCH) process.stderr.write(`kept scratch: ${scratch}\n`)
  else fs.rmSync(scratch, { recursive: true, force: true })
  return result
}
