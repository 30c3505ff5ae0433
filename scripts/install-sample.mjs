// `node scripts/install-sample.mjs <folder>`: installs a sample that has an install of its own
// (fixtures/d1-app: Cloudflare's Vitest pool and workerd, ~280 MB the root does not need) with
// `npm ci`, unless its node_modules is newer than its lockfile, as its end-to-end test would.
// `npm test` runs it beside the checks, so the download does not wait for its turn in Vitest.
// Never fails: where it cannot install (no registry), the test tries again and says why it skips.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const sample = path.resolve(process.argv[2])
const lock = path.join(sample, 'package-lock.json')
const marker = path.join(sample, 'node_modules/.package-lock.json')
if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) process.exit(0)
const [command, args] = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []]
try {
  execFileSync(command, [...args, 'ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: sample, stdio: 'inherit', timeout: 240_000 })
} catch (error) {
  process.stdout.write(`install-sample: ${path.relative(process.cwd(), sample)} not installed (${error.message.split('\n')[0]}); its test installs it again\n`)
}
