import { sessionsTableName, type TableName } from '../schema/table.js';

/** The catalog's statements on one events table and its sessions table. */
export interface CatalogStatements {
  /** $1 the session id to list after ('' for the first page), $2 page size. */
  readonly list: string;
  /** $1 session: its row (none when it has none). */
  readonly row: string;
  /**
   * Taken first by a delete, held until its COMMIT: SHARE ROW EXCLUSIVE conflicts with the ROW
   * EXCLUSIVE lock every append takes on the events table (not with readers' ACCESS SHARE).
   */
  readonly lockAppends: string;
  /** $1 session: the number of events deleted. */
  readonly deleteEvents: string;
  /** $1 session: the number of rows deleted (0 or 1). */
  readonly deleteRow: string;
}

// An ISO 8601 time in UTC, as text: the same string from `pg` and PGlite, whatever the TimeZone.
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export function catalogStatements(table: TableName): CatalogStatements {
  const t = table.sql;
  const s = sessionsTableName(table).sql;
  return {
    list: `SELECT session_id, head::float8 AS head, ${iso('changed_at')} AS changed_at FROM ${s}
WHERE session_id > $1 ORDER BY session_id LIMIT $2`,
    row: `SELECT head::float8 AS head, ${iso('changed_at')} AS changed_at FROM ${s} WHERE session_id = $1`,
    lockAppends: `LOCK TABLE ${t} IN SHARE ROW EXCLUSIVE MODE`,
    deleteEvents: `WITH gone AS (DELETE FROM ${t} WHERE session_id = $1 RETURNING 1)
SELECT count(*)::float8 AS n FROM gone`,
    deleteRow: `WITH gone AS (DELETE FROM ${s} WHERE session_id = $1 RETURNING 1)
SELECT count(*)::float8 AS n FROM gone`,
  };
}

export interface SessionRow {
  readonly session_id: string;
  readonly head: number;
  readonly changed_at: string;
}
