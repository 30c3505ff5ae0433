import fs from 'node:fs'
import { openDatabase, removeDatabaseFile, replaceDatabaseFile } from '../core/driver/index.js'
import { templateStatements } from './dump.js'
import { locateD1File } from './locate.js'
import { d1ShapedImage } from './shape.js'
import { SwappedFiles } from './left-as.js'
import type { BlockRequest, FreshWay, LocateRequest, StartAnswer, SwapAnswer, SwapRequest } from './protocol.js'

/** What the service needs of the plugin: each binding's template file, once built. */
export interface Templates {
  readonly files: ReadonlyMap<string, string>
  /** Whether the option `method` is `'batch'`: no file swap. */
  readonly batchOnly: boolean
  /** Says a line in the run's output (once per reason). */
  readonly say: (line: string) => void
}

/**
 * The main-process side of a run: answers the setup file inside the Workers runtime, through
 * a function service binding. It finds each test file's D1 files, and copies the templates
 * over them between tests; where a file cannot be found, it hands the template as SQL.
 */
export function d1Service(templates: () => Templates): (request: Request) => Promise<Response> {
  /** Each located database's file, by the token its test file wrote into it. */
  const located = new Map<string, string>()
  const statements = new Map<string, string[]>()
  /** Each template as D1 leaves a database it opened, what a swap writes: learned from the first D1 file located. */
  const shaped = new Map<string, Buffer>()
  const swappedFiles = new SwappedFiles()
  const said = new Set<string>()
  /** A describe block's copy of a database: beside D1's file, in the test file's Miniflare folder. */
  const blockFile = (file: string, block: string) => `${file}.sqlite-fixtures-block-${block}`
  const locatedFile = (binding: string, token: string): string => {
    const file = located.get(token)
    if (file === undefined) throw new Error(`sqlite-fixtures/d1: ${binding} was not located first.`)
    return file
  }

  const templateOf = (binding: string): string => {
    const file = templates().files.get(binding)
    if (file === undefined) throw new Error(`sqlite-fixtures/d1: no template for the binding ${binding}.`)
    return file
  }
  const restoreWay = (binding: string, reason: string): FreshWay => {
    const line = `sqlite-fixtures/d1: ${binding}: ${reason}; each test restores the template with one batch through env.${binding} instead (slower).`
    if (!said.has(line)) templates().say(line)
    said.add(line)
    const file = templateOf(binding)
    if (!statements.has(file)) statements.set(file, templateStatements(file))
    return { way: 'restore', reason, statements: statements.get(file) as string[] }
  }

  const operations: Record<string, (body: unknown) => unknown> = {
    start: (): StartAnswer => ({ bindings: [...templates().files.keys()] }),
    locate: (body): FreshWay => {
      const { binding, token, unswappable } = body as LocateRequest
      templateOf(binding)
      if (unswappable !== undefined) return restoreWay(binding, unswappable)
      if (templates().batchOnly) return restoreWay(binding, "the option method is 'batch'")
      const file = locateD1File(token)
      if (file === undefined) return restoreWay(binding, "D1's SQLite file was not found under the OS temp dir, where Miniflare keeps a database it does not persist")
      located.set(token, file)
      const template = templateOf(binding)
      if (!shaped.has(template)) shaped.set(template, d1ShapedImage(template, file))
      return { way: 'swap' }
    },
    swap: (body): SwapAnswer | undefined => {
      const { databases, block, closed } = body as SwapRequest
      const source = block ?? ''
      const stale = databases.map(({ binding, token, unreached }) => ({ binding, file: locatedFile(binding, token), unreached })).filter(({ file, unreached }) => !(unreached && swappedFiles.holds(file, source)))
      if (stale.length > 0 && !closed) return { closeFirst: true }
      for (const { binding, file } of stale) {
        replaceDatabaseFile(block === undefined ? (shaped.get(templateOf(binding)) as Buffer) : blockFile(file, block), file)
        swappedFiles.given(file, source)
      }
      return undefined
    },
    // Read through SQLite, not copied: the closed database may still have its changes in its WAL.
    freeze: (body) => {
      const { databases, block } = body as BlockRequest
      for (const { binding, token } of databases) {
        const file = locatedFile(binding, token)
        const db = openDatabase(file, { readonly: true, fileMustExist: true })
        try {
          fs.writeFileSync(blockFile(file, block), db.serialize())
        } finally {
          db.close()
        }
      }
      return undefined
    },
    drop: (body) => {
      const { databases, block } = body as BlockRequest
      for (const { binding, token } of databases) removeDatabaseFile(blockFile(locatedFile(binding, token), block))
      return undefined
    },
  }

  return async (request) => {
    const operation = operations[new URL(request.url).pathname.slice(1)]
    if (operation === undefined) return new Response(`sqlite-fixtures/d1: unknown request ${request.url}`, { status: 404 })
    try {
      const answer = operation(JSON.parse(await request.text()) as unknown)
      return new Response(answer === undefined ? '' : JSON.stringify(answer))
    } catch (error) {
      return new Response(error instanceof Error ? error.message : String(error), { status: 500 })
    }
  }
}
