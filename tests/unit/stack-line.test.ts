import { expect, test } from 'vitest'
import { lineIn } from '../../src/core/base/stack-line.js'

const thrownAt = (frame: string) => Object.assign(new Error('data check failed'), { stack: `Error: data check failed\n    at up (${frame})\n    at run (node:internal/x:1:1)` })

test('the line of a migration in a stack, also where the import carried a query (the plugin\'s build imports add one)', () => {
  const file = '/app/migrations/20240120_broken.ts'
  expect(lineIn(thrownAt(`${file}:6:24`), file)).toBe(6)
  expect(lineIn(thrownAt(`file://${file}?sqlite-fixtures-build=1:6:24`), file)).toBe(6)
  expect(lineIn(thrownAt(`${file}?t=1712:12`), file)).toBe(12)
  expect(lineIn(thrownAt('/app/migrations/other.ts:3:1'), file)).toBeUndefined()
})
