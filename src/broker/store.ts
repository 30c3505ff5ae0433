import type BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'

type Statement<Params extends object | unknown[]> = BetterSqlite3.Statement<Params>

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

// SQLite reserves names that start with sqlite_.
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
 * and payloads are never SQL text. The table is made on first use; inside a caller's
 * transaction that may roll back, so it is checked again until it exists outside one.
 */
export class Store {
  readonly #db: Database
  #statements: Statements | undefined

  constructor(db: Database) {
    this.#db = db
  }

  get sql(): Statements {
    if (this.#statements) return this.#statements
    this.#db.exec(schema)
    const statements = prepare(this.#db)
    if (!this.#db.inTransaction) this.#statements = statements
    return statements
  }
}

/** The broker's prepared statements. */
export interface Statements {
  insert: Statement<[{ topic: string; payload: string; headers: string; now: number; availableAt: number }]>
  nextDue: Statement<[{ now: number; topic: string | null }]>
  lease: Statement<[{ id: number; now: number; leaseUntil: number }]>
  ack: Statement<[{ id: number; attempts: number }]>
  retry: Statement<[{ id: number; attempts: number; availableAt: number; error: string | null }]>
  deadLetter: Statement<[{ id: number; error: string | null }]>
  nextWake: Statement<[{ now: number }]>
  byId: Statement<[{ id: number }]>
  all: Statement<[{ topic: string | null }]>
}

function prepare(db: Database): Statements {
  const statement = <Params extends object>(sql: string): Statement<[Params]> => db.prepare(sql)
  return {
    insert: statement<{ topic: string; payload: string; headers: string; now: number; availableAt: number }>(
      `insert into ${table} (topic, payload, headers, state, published_at, available_at)
       values (@topic, @payload, @headers, 'pending', @now, @availableAt)`,
    ),
    nextDue: statement<{ now: number; topic: string | null }>(
      `select * from ${table} where ${due} and (@topic is null or topic = @topic) order by available_at, id limit 1`,
    ),
    lease: statement<{ id: number; now: number; leaseUntil: number }>(
      `update ${table} set state = 'leased', attempts = attempts + 1, lease_until = @leaseUntil where id = @id`,
    ),
    ack: statement<{ id: number; attempts: number }>(
      `update ${table} set state = 'acked', lease_until = null where id = @id and state = 'leased' and attempts = @attempts`,
    ),
    retry: statement<{ id: number; attempts: number; availableAt: number; error: string | null }>(
      `update ${table} set state = 'pending', lease_until = null, available_at = @availableAt, last_error = @error
       where id = @id and state = 'leased' and attempts = @attempts`,
    ),
    deadLetter: statement<{ id: number; error: string | null }>(
      `update ${table} set state = 'dead', lease_until = null, last_error = @error where id = @id`,
    ),
    nextWake: statement<{ now: number }>(
      `select min(case when state = 'pending' then available_at else lease_until end) from ${table}
       where state in ('pending', 'leased') and not ${due}`,
    ).pluck(),
    byId: statement<{ id: number }>(`select * from ${table} where id = @id`),
    all: statement<{ topic: string | null }>(
      `select * from ${table} where (@topic is null or topic = @topic) order by id`,
    ),
  }
}
