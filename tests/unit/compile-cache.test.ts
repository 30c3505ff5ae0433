import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { compileCacheDir, useCompileCache } from '../../src/vitest/compile-cache.js'

// What the plugin does to the workers' environment (the benchmark measures why): Node's
// compile cache in the plugin's own cache dir, where the workers start as processes of a
// Node that has one, unless the environment or the project already says where it goes.
const cacheDir = path.resolve('node_modules/.cache/sqlite-fixtures')
type Config = { pool?: string; env?: Partial<Record<string, string>> }

describe("the workers keep their compiled code in the plugin's cache dir", () => {
  test('Node 22.1 and later: the forks pool (the default) and vmForks; the project keeps its own env', () => {
    for (const version of ['22.1.0', '22.23.5', '24.22.3']) {
      for (const pool of [undefined, 'forks', 'vmForks']) {
        const config: Config = { pool, env: { APP_ENV: 'test' } }
        useCompileCache(config, cacheDir, version, {})
        expect(config.env, `${version} ${pool}`).toEqual({ APP_ENV: 'test', NODE_COMPILE_CACHE: path.join(cacheDir, 'compile-cache') })
      }
    }
    expect(compileCacheDir(cacheDir)).toBe(path.join(cacheDir, 'compile-cache'))
  })

  test('not on a Node without one (20, 22.0), nor for worker threads, which read no environment at start', () => {
    for (const [version, pool] of [['20.19.0', undefined], ['22.0.0', undefined], ['24.22.3', 'threads'], ['24.22.3', 'vmThreads']]) {
      const config: Config = { pool }
      useCompileCache(config, cacheDir, version, {})
      expect(config.env, `${version} ${pool}`).toBeUndefined()
    }
  })

  test('not where the environment or the project names a cache or turns it off', () => {
    for (const name of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE']) {
      const fromProcess: Config = {}
      useCompileCache(fromProcess, cacheDir, '24.22.3', { [name]: '1' })
      expect(fromProcess.env, name).toBeUndefined()
      const fromProject: Config = { env: { [name]: '1' } }
      useCompileCache(fromProject, cacheDir, '24.22.3', {})
      expect(fromProject.env, name).toEqual({ [name]: '1' })
    }
  })
})
