import type { TableName } from '../schema/table.js';

/**
 * The statements of one table. An append is one statement, hence one transaction, whatever the
 * batch size: the batch travels as five arrays (no bind-parameter limit) that `unnest` turns into
 * rows, and the insert happens only when the session's last seq is the writer's `expectedSeq`.
 * When two writers race past that check, the primary key rejects the second one.
 */
export interface Statements {
  /** $1 session, $2 expectedSeq, $3..$7 seq/type/v/at/data arrays, $8 append id. */
  readonly append: string;
  /** $1 session, $2 after seq, $3 limit. */
  readonly page: string;
  /** $1 session. */
  readonly last: string;
  /** $1 session, $2 seq. */
  readonly owner: string;
  /** $1 channel, $2 payload. */
  readonly notify: string;
}

export function statements(table: TableName): Statements {
  const t = table.sql;
  return {
    append: `WITH head AS (
  SELECT coalesce(max(seq), 0) AS last FROM ${t} WHERE session_id = $1
), ins AS (
  INSERT INTO ${t} (session_id, seq, type, v, at, data, append_id)
  SELECT $1, r.seq, r.type, r.v, r.at, r.data::json, $8
  FROM head, unnest($3::bigint[], $4::text[], $5::integer[], $6::text[], $7::text[]) AS r(seq, type, v, at, data)
  WHERE head.last = $2::bigint
  RETURNING 1
), done AS (SELECT count(*) AS n FROM ins)
SELECT head.last::float8 AS last, done.n::integer AS inserted FROM head, done`,
    page: `SELECT seq::float8 AS seq, type, v, at, data::text AS data FROM ${t}
WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    last: `SELECT coalesce(max(seq), 0)::float8 AS last FROM ${t} WHERE session_id = $1`,
    owner: `SELECT append_id FROM ${t} WHERE session_id = $1 AND seq = $2`,
    // Its own transaction, committed without waiting for the disk: a NOTIFY holds a
    // database-wide lock from its commit until the commit is flushed, which would serialize
    // the commits of every session if appends notified themselves.
    notify: "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)",
  };
}

export interface EventRow {
  readonly seq: number;
  readonly type: string;
  readonly v: number;
  readonly at: string;
  readonly data: string;
}
