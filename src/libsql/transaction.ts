import type { InStatement, ResultSet, Transaction } from '@libsql/client'
import { checkOwnWork } from '../core/lifecycle/index.js'
import type { TestSession } from './session.js'
import { statementText } from './statement-text.js'

/**
 * An interactive transaction of `testLibsqlClient()`: libSQL's own, on the test's database,
 * owned by the test that opened it. Used in another test, or after its test ended, it throws
 * naming the test, and writes nothing.
 */
export class TestTransaction implements Transaction {
  readonly #session: TestSession
  readonly #real: Transaction

  constructor(session: TestSession, real: Transaction) {
    this.#session = session
    this.#real = real
  }

  #owned(...statements: string[]): Transaction {
    checkOwnWork(this.#session.scope, 'a libSQL transaction')
    for (const statement of statements) this.#session.record(statement)
    return this.#real
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    return this.#owned(statementText(stmt)).execute(stmt)
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.#owned(...stmts.map(statementText)).batch(stmts)
  }

  async executeMultiple(sql: string): Promise<void> {
    return this.#owned(sql).executeMultiple(sql)
  }

  /** After its test ended, the database went with the test: nothing is left to undo. */
  async rollback(): Promise<void> {
    if (this.#session.scope.ended) return
    return this.#owned('ROLLBACK').rollback()
  }

  async commit(): Promise<void> {
    return this.#owned('COMMIT').commit()
  }

  close(): void {
    if (!this.#session.scope.ended) this.#real.close()
  }

  get closed(): boolean {
    return this.#real.closed
  }
}
