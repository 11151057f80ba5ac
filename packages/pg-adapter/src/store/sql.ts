import { sessionsTableName, type TableName } from '../schema/table.js';

/**
 * The statements of one table. An append is one statement, hence one transaction, whatever the
 * batch size: the batch travels as five arrays (no bind-parameter limit) that `unnest` turns into
 * rows. It first claims the session's row in the sessions table, moving its head from
 * `expectedSeq` to the batch's last seq, and inserts the events only if the claim returned a
 * row. The claim is an INSERT … ON CONFLICT DO UPDATE: a second writer waits on the row lock of
 * the first, and once the first commits its WHERE is evaluated again against the new head and
 * fails, so the second stores nothing whatever seq its batch starts at (a check of the events
 * alone lets a batch at seq 5 pass next to one at seq 1).
 *
 * The claim accepts a head at or below `expectedSeq` when the events do end at `expectedSeq`:
 * a session written by a version without the sessions table (or before `migrate` filled it) has
 * a missing or lagging head, and its next append sets it. Every writer that claims moves the
 * head past `expectedSeq`, so a racing writer still fails.
 */
export interface Statements {
  /**
   * $1 session, $2 expectedSeq, $3..$7 seq/type/v/at/data arrays, $8 append id, $9 new head,
   * and with the `op` column $10 the operation ids (null for events without one).
   */
  readonly append: string;
  /** $1 session, $2 after seq, $3 limit. */
  readonly page: string;
  /** $1 session. */
  readonly last: string;
  /** $1 session: the events' last seq and the head row's seq (null without a row). */
  readonly head: string;
  /** $1 session, $2 seq. */
  readonly owner: string;
  /** $1 channel, $2 payload. */
  readonly notify: string;
}

/**
 * `withOp`: the table has the `op` column (operation ids), which `migrate` adds to a table made
 * before it. Without it, events are read without operation ids, and none can be written.
 */
export function statements(table: TableName, withOp = true): Statements {
  const t = table.sql;
  const s = sessionsTableName(table).sql;
  const op = withOp ? ', op' : '';
  const opRow = withOp ? ', r.op' : '';
  const opArray = withOp ? ', $10::text[]' : '';
  return {
    append: `WITH claim AS (
  INSERT INTO ${s} AS s (session_id, head, changed_at)
  SELECT $1, $9::bigint, now()
  WHERE (SELECT coalesce(max(seq), 0) FROM ${t} WHERE session_id = $1) = $2::bigint
  ON CONFLICT (session_id) DO UPDATE SET head = EXCLUDED.head, changed_at = EXCLUDED.changed_at
  WHERE s.head <= $2::bigint
  RETURNING 1
), ins AS (
  INSERT INTO ${t} (session_id, seq, type, v, at, data, append_id${op})
  SELECT $1, r.seq, r.type, r.v, r.at, r.data::json, $8${opRow}
  FROM claim, unnest($3::bigint[], $4::text[], $5::integer[], $6::text[], $7::text[]${opArray}) AS r(seq, type, v, at, data${op})
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins)::integer AS inserted`,
    // Ordered by the column, not by the output's `seq` (a float8): only the column's order is the
    // primary key's, so each page is a range of the index, not a sort of the whole session.
    page: `SELECT e.seq::float8 AS seq, e.type, e.v, e.at, e.data::text AS data${op ? ', e.op' : ''} FROM ${t} AS e
WHERE e.session_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3`,
    last: `SELECT coalesce(max(seq), 0)::float8 AS last FROM ${t} WHERE session_id = $1`,
    head: `SELECT coalesce((SELECT max(seq) FROM ${t} WHERE session_id = $1), 0)::float8 AS last,
  (SELECT head FROM ${s} WHERE session_id = $1)::float8 AS head`,
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
  /** The operation id (null without one; absent when the table has no `op` column). */
  readonly op?: string | null;
}

/** The statements that write the batches of several sessions at once (group-commit.ts). */
export interface GroupStatements {
  /**
   * $1 sessions, $2 their expectedSeqs, $3 their new heads; then one item per row: $4 session,
   * $5..$9 seq/type/v/at/data, $10 append id, and with the `op` column $11 the operation ids.
   * Returns one row per session whose claim succeeded: `session_id`, `inserted`.
   */
  readonly append: string;
  /** $1 channels, $2 payloads. */
  readonly notify: string;
}

/**
 * The append statement of `statements`, for several sessions (each at most once) in one
 * statement: each session's head is claimed exactly as alone, and only the rows of the sessions
 * whose claim succeeded are inserted. The claims take the sessions' row locks in session order,
 * so two such statements (of this process or another) cannot deadlock on them.
 */
export function groupStatements(table: TableName, withOp = true): GroupStatements {
  const t = table.sql;
  const s = sessionsTableName(table).sql;
  const op = withOp ? ', op' : '';
  const opRow = withOp ? ', r.op' : '';
  const opArray = withOp ? ', $11::text[]' : '';
  return {
    append: `WITH req AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS q(session_id, expected, head)
), claim AS (
  INSERT INTO ${s} AS s (session_id, head, changed_at)
  SELECT q.session_id, q.head, now() FROM req q
  WHERE (SELECT coalesce(max(seq), 0) FROM ${t} e WHERE e.session_id = q.session_id) = q.expected
  ORDER BY q.session_id
  ON CONFLICT (session_id) DO UPDATE SET head = EXCLUDED.head, changed_at = EXCLUDED.changed_at
  WHERE s.head <= (SELECT r.expected FROM req r WHERE r.session_id = s.session_id)
  RETURNING s.session_id
), ins AS (
  INSERT INTO ${t} (session_id, seq, type, v, at, data, append_id${op})
  SELECT r.session_id, r.seq, r.type, r.v, r.at, r.data::json, r.append_id${opRow}
  FROM unnest($4::text[], $5::bigint[], $6::text[], $7::integer[], $8::text[], $9::text[], $10::text[]${opArray}) AS r(session_id, seq, type, v, at, data, append_id${op})
  WHERE r.session_id IN (SELECT session_id FROM claim)
  RETURNING session_id
)
SELECT session_id, count(*)::integer AS inserted FROM ins GROUP BY session_id`,
    notify:
      "SELECT set_config('synchronous_commit', 'off', true), pg_notify(n.channel, n.payload) FROM unnest($1::text[], $2::text[]) AS n(channel, payload)",
  };
}
