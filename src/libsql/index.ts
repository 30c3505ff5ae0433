export { testLibsqlClient, type TestLibsqlClientOptions } from './client.js'
export { LibsqlFixtureError } from './errors.js'
