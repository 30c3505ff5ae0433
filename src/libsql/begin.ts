import type { TransactionMode } from '@libsql/client'

/**
 * The statement libSQL runs to open a transaction of `mode` (`transactionModeToBegin` in
 * @libsql/core, which this package does not depend on): the test's SQL log shows what ran,
 * not the mode's name.
 */
export function beginStatement(mode: TransactionMode): string {
  if (mode === 'read') return 'BEGIN TRANSACTION READONLY'
  if (mode === 'deferred') return 'BEGIN DEFERRED'
  return 'BEGIN IMMEDIATE'
}
