import { sessionsTableName, snapshotsTableName, type TableName } from '../schema/table.js';

/**
 * The data of a snapshot's marker row: a row of type `state.snapshotted` in the events table at
 * the snapshot's seq, standing for the snapshot whose parts are in the snapshots table. It is
 * written where the events up to that seq are gone (removed by `snapshotPgSession`, or never
 * there: a copied log that starts with a snapshot), so the events table still ends where the
 * log does, which every append checks. Readers never see it: they see the snapshot.
 */
export const MARKER_PREFIX = '{"snapshotParts":';

/** The marker's whole data: readers look only at its start. */
export const MARKER_DATA = `${MARKER_PREFIX}true}`;

export interface SnapshotRow {
  readonly part: number;
  readonly last: boolean;
  readonly v: number;
  readonly at: string;
  readonly data: string;
}

/** The statements of one events table's snapshots. */
export interface SnapshotStatements {
  /** $1 session: the seq of its latest snapshot (null without one). */
  readonly latest: string;
  /** $1 session, $2 seq, $3 after part, $4 limit. */
  readonly parts: string;
  /** $1 session, $2 seq, $3 part, $4 last, $5 v, $6 at, $7 data. */
  readonly insertPart: string;
  /** $1 session, $2 seq, $3 v, $4 at, $5 data, $6 append id. */
  readonly insertMarker: string;
  /** $1 session: its head row, locked until the transaction ends (none without one). */
  readonly lockHead: string;
  /** $1 session, $2 head: gives a session written before the sessions table its row. */
  readonly ensureHead: string;
  /**
   * $1 session, $2 seq: claims the head of a session without events for a log that starts with
   * a snapshot at seq, as an append at expectedSeq 0 would (a row back if claimed).
   */
  readonly claimEmpty: string;
  /** $1 session, $2 seq: the event stored there (none when there is none). */
  readonly eventAt: string;
  /** $1 session, $2 seq: deletes the events up to seq; the number of events (not markers) deleted. */
  readonly removeEvents: string;
  /** $1 session, $2 seq: deletes the snapshots before seq. */
  readonly removeSnapshots: string;
  /** $1 session: deletes all its snapshots. */
  readonly deleteAll: string;
}

export function snapshotStatements(table: TableName): SnapshotStatements {
  const t = table.sql;
  const s = snapshotsTableName(table).sql;
  const h = sessionsTableName(table).sql;
  return {
    latest: `SELECT max(seq)::float8 AS seq FROM ${s} WHERE session_id = $1`,
    parts: `SELECT part, last, v, at, data::text AS data FROM ${s}
WHERE session_id = $1 AND seq = $2 AND part > $3 ORDER BY part LIMIT $4`,
    insertPart: `INSERT INTO ${s} (session_id, seq, part, last, v, at, data)
VALUES ($1, $2, $3, $4, $5, $6, $7::json)`,
    insertMarker: `INSERT INTO ${t} (session_id, seq, type, v, at, data, append_id)
VALUES ($1, $2, 'state.snapshotted', $3, $4, $5::json, $6)`,
    lockHead: `SELECT head::float8 AS head FROM ${h} WHERE session_id = $1 FOR UPDATE`,
    ensureHead: `INSERT INTO ${h} (session_id, head) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING`,
    claimEmpty: `INSERT INTO ${h} AS h (session_id, head, changed_at) VALUES ($1, $2, now())
ON CONFLICT (session_id) DO UPDATE SET head = EXCLUDED.head, changed_at = EXCLUDED.changed_at
WHERE h.head <= 0
RETURNING 1`,
    eventAt: `SELECT type, at, left(data::text, ${MARKER_PREFIX.length}) AS prefix FROM ${t} WHERE session_id = $1 AND seq = $2`,
    removeEvents: `WITH gone AS (
  DELETE FROM ${t} WHERE session_id = $1 AND seq <= $2
  RETURNING type = 'state.snapshotted' AND left(data::text, ${MARKER_PREFIX.length}) = '${MARKER_PREFIX}' AS marker
)
SELECT count(*) FILTER (WHERE NOT marker)::float8 AS n FROM gone`,
    removeSnapshots: `DELETE FROM ${s} WHERE session_id = $1 AND seq < $2`,
    deleteAll: `WITH gone AS (DELETE FROM ${s} WHERE session_id = $1 RETURNING 1)
SELECT count(*)::float8 AS n FROM gone`,
  };
}
