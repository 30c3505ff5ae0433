// diagnostics: what explains a test's database. The statement log each connection keeps, the
// integrity check after a passing test, and the report added to a failing one.

export { addToFailureReport, hasFailureReport, keptSection, statementsSection, takeFailureReport, TestDatabaseReport } from './failure-report.js'
export { IntegrityCheck, integrityError, IntegrityError, type ForeignKeyViolation, type IntegrityBaseline } from './integrity.js'
export { attachLog, newStatementLog, statementLogOf } from './sql-log.js'
