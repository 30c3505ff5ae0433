import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { SchemaError } from '../../src/core/base/errors.js'
import { applyScript } from '../../src/core/template/script.js'

const fresh = () => new Database(':memory:')

function failure(sql: string): SchemaError {
  try {
    applyScript(fresh(), sql, 'db/schema.sql', fresh)
  } catch (error) {
    return error as SchemaError
  }
  throw new Error('expected the script to fail')
}

test('a valid script is applied whole', () => {
  const db = fresh()
  applyScript(db, 'create table a (x); insert into a values (1);', 'a.sql', fresh)
  expect(db.prepare('select x from a').pluck().get()).toBe(1)
})

test('a failing statement is reported with its file, line and text', () => {
  const error = failure('create table a (x);\n\ninsert into b values (1);\n')
  expect(error).toBeInstanceOf(SchemaError)
  expect(error.code).toBe('SQLITE_FIXTURES_SCHEMA')
  expect(error.location).toEqual({ file: 'db/schema.sql', line: 3, statement: 'insert into b values (1);' })
  expect(error.message).toContain('db/schema.sql:3 failed: no such table: b')
})

test('semicolons inside strings, comments and trigger bodies do not split statements', () => {
  const error = failure(
    [
      "create table a (x text default 'a;b'); -- a comment; with a semicolon",
      '/* block; comment */',
      'create trigger t after insert on a begin',
      "  update a set x = 'y;z';",
      'end;',
      'select * from missing;',
    ].join('\n'),
  )
  expect(error.location?.line).toBe(6)
  expect(error.location?.statement).toBe('select * from missing;')
})

test('a syntax error is located too', () => {
  const error = failure('create table a (x);\ncreate tabel b (y);')
  expect(error.location).toMatchObject({ line: 2, statement: 'create tabel b (y);' })
  expect(error.message).toMatch(/near "tabel": syntax error/)
})
