export { testSqlite3Database } from './database.js'
export { Sqlite3FixtureError } from './errors.js'
