import { describe, expect, test } from 'vitest'
import { asyncContextFrameFlag, useAsyncContextFrame } from '../../src/vitest/async-context.js'

// What the plugin's config hook does to the workers' Node flags (the benchmark measures why).
describe('the workers get AsyncContextFrame where Node has it behind a flag', () => {
  test('Node 22.7 and later 22s, and 23: the forks pool (the default) and vmForks', () => {
    for (const version of ['22.7.0', '22.23.5', '23.11.0']) {
      for (const pool of [undefined, 'forks', 'vmForks']) {
        const config: { pool?: string; execArgv?: string[] } = { pool }
        useAsyncContextFrame(config, version)
        expect(config.execArgv, `${version} ${pool}`).toEqual([asyncContextFrameFlag])
      }
    }
  })

  test('not on a Node without the flag (20, 22.6) or with the frame on by default (24)', () => {
    for (const version of ['20.19.0', '22.6.0', '24.0.0', '25.1.0']) {
      const config: { execArgv?: string[] } = {}
      useAsyncContextFrame(config, version)
      expect(config.execArgv, version).toBeUndefined()
    }
  })

  test('not for worker threads, which cannot take the flag', () => {
    for (const pool of ['threads', 'vmThreads']) {
      const config: { pool?: string; execArgv?: string[] } = { pool }
      useAsyncContextFrame(config, '22.23.5')
      expect(config.execArgv).toBeUndefined()
    }
  })

  test("the project's own execArgv, even an empty one, is left as it is", () => {
    const empty: { execArgv?: string[] } = { execArgv: [] }
    useAsyncContextFrame(empty, '22.23.5')
    expect(empty.execArgv).toEqual([])
    const own: { execArgv?: string[] } = { execArgv: ['--max-old-space-size=4096'] }
    useAsyncContextFrame(own, '22.23.5')
    expect(own.execArgv).toEqual(['--max-old-space-size=4096'])
  })
})
