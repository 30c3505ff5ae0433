import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'

type Statement<Params extends object> = BetterSqlite3.Statement<[Params]>

/** How a message is stored; `state` is the stored state, before delays and leases are read against the clock. */
export interface Row {
  id: number
  topic: string
  payload: string
  headers: string
  state: 'pending' | 'leased' | 'acked' | 'dead'
  attempts: number
  published_at: number
  available_at: number
  lease_until: number | null
  last_error: string | null
}

// SQLite refuses names that start with sqlite_ ("reserved for internal use").
const table = 'fixtures_broker_messages'

const schema = `
create table if not exists ${table} (
  id integer primary key,
  topic text not null,
  payload text not null,
  headers text not null,
  state text not null check (state in ('pending', 'leased', 'acked', 'dead')),
  attempts integer not null default 0,
  published_at integer not null,
  available_at integer not null,
  lease_until integer,
  last_error text
);
create index if not exists ${table}_due on ${table} (state, available_at, id);
`

// A message is due when it is pending and its time has come, or leased and its lease is over.
const due = `((state = 'pending' and available_at <= @now) or (state = 'leased' and lease_until <= @now))`

/**
 * The broker's SQL, in the test's own database. Every value is a bound parameter: topics
 * and payloads are never SQL text. The table is made on first use. Made inside a caller's
 * transaction, it may be rolled back with it, so until it exists outside one its presence
 * is checked on each use (a lookup; prepared statements survive the table being remade).
 */
export class Store {
  readonly #db: Database
  readonly #exists: BetterSqlite3.Statement<[string]>
  #statements: Statements | undefined
  #durable = false

  constructor(db: Database) {
    this.#db = db
    this.#exists = db.prepare<[string]>("select 1 from sqlite_master where type = 'table' and name = ?").pluck()
  }

  get sql(): Statements {
    if (this.#durable && this.#statements) return this.#statements
    if (this.#exists.get(table) === undefined) this.#db.exec(schema)
    this.#durable = !this.#db.inTransaction
    return (this.#statements ??= prepare(this.#db))
  }
}

/** The broker's prepared statements. */
export interface Statements {
  insert: Statement<{ topic: string; payload: string; headers: string; now: number; availableAt: number }>
  nextDue: Statement<{ now: number; topic: string | null }>
  lease: Statement<{ id: number; now: number; leaseUntil: number }>
  expireLastLeases: Statement<{ now: number; maxAttempts: number }>
  ack: Statement<{ id: number; attempts: number }>
  retry: Statement<{ id: number; attempts: number; availableAt: number; error: string | null }>
  deadLetter: Statement<{ id: number; attempts: number; error: string | null }>
  nextWake: Statement<{ now: number }>
  byId: Statement<{ id: number }>
  all: Statement<{ topic: string | null }>
}

/** The oldest message of the given topic (`@topic`, or any when null) that matches `where`. */
function oldest(where: string): string {
  return `select * from ${table} where ${where} and (@topic is null or topic = @topic) order by available_at, id limit 1`
}

function prepare(db: Database): Statements {
  const statement = <Params extends object>(sql: string): Statement<Params> => db.prepare<[Params]>(sql)
  // Settling (ack, retry, dead-letter) only touches the delivery that holds the lease:
  // a consumer whose lease ran out cannot settle the redelivered message.
  const held = `id = @id and state = 'leased' and attempts = @attempts`
  return {
    insert: statement(
      `insert into ${table} (topic, payload, headers, state, published_at, available_at)
       values (@topic, @payload, @headers, 'pending', @now, @availableAt)`,
    ),
    // The oldest of two index walks (due pending, expired leased), rather than one OR query,
    // which sorts every due row and made draining n messages cost n^2.
    nextDue: statement(
      `select * from (${oldest(`state = 'pending' and available_at <= @now`)})
       union all select * from (${oldest(`state = 'leased' and lease_until <= @now`)})
       order by available_at, id limit 1`,
    ),
    // Leasing a message whose lease ran out records why it is delivered again.
    lease: statement(
      `update ${table} set state = 'leased', attempts = attempts + 1, lease_until = @leaseUntil,
         last_error = case when state = 'leased' then 'lease expired' else last_error end
       where id = @id and ${due}`,
    ),
    expireLastLeases: statement(
      `update ${table} set state = 'dead', lease_until = null, last_error = 'lease expired'
       where state = 'leased' and lease_until <= @now and attempts >= @maxAttempts`,
    ),
    ack: statement(`update ${table} set state = 'acked', lease_until = null where ${held}`),
    retry: statement(
      `update ${table} set state = 'pending', lease_until = null, available_at = @availableAt, last_error = @error
       where ${held}`,
    ),
    deadLetter: statement(`update ${table} set state = 'dead', lease_until = null, last_error = @error where ${held}`),
    nextWake: statement<{ now: number }>(
      `select min(case when state = 'pending' then available_at else lease_until end) from ${table}
       where state in ('pending', 'leased') and not ${due}`,
    ).pluck(),
    byId: statement(`select * from ${table} where id = @id`),
    all: statement(`select * from ${table} where (@topic is null or topic = @topic) order by id`),
  }
}
