import { randomUUID } from 'node:crypto';
import { ConcurrencyError, type DialectOptions, type StoredEvent } from '@contextlog/core';
import type { PgQueryable } from '../client/types.js';
import { PgTableMissingError } from '../errors.js';
import { snapshotsTableOf } from '../schema/op-column.js';
import { sessionsTableName, snapshotsTableName, type TableName } from '../schema/table.js';
import { MARKER_DATA, snapshotStatements } from './sql.js';
import { insertSnapshotParts, snapshotToWrite } from './write-parts.js';

/**
 * Writes the `state.snapshotted` a copied log starts with, inside the import's transaction: its
 * parts rows (a state of any size: each row holds about a megabyte), its marker row at its seq in
 * the events table, and the session's head at that seq, claimed as an append at expectedSeq 0
 * claims it (a writer that got there first makes this a `ConcurrencyError`). The events after it
 * are then appended from its seq on.
 */
export async function importLeadingSnapshot(
  connection: PgQueryable,
  table: TableName,
  sessionId: string,
  event: StoredEvent,
  dialects: DialectOptions,
): Promise<void> {
  if (!(await snapshotsTableOf(table).present(connection))) {
    throw new PgTableMissingError(table.name, { missing: snapshotsTableName(table).name });
  }
  // Before anything is written: a state of a dialect this reader lacks cannot be split.
  const snapshot = snapshotToWrite(event, dialects);
  const sql = snapshotStatements(table);
  const { rows } = await connection.query(sql.claimEmpty, [sessionId, event.seq]);
  if (rows.length === 0) {
    const { rows: head } = await connection.query<{ head: number }>(
      `SELECT head::float8 AS head FROM ${sessionsTableName(table).sql} WHERE session_id = $1`,
      [sessionId],
    );
    throw new ConcurrencyError(0, head[0]?.head ?? 0);
  }
  await insertSnapshotParts(connection, sql, sessionId, snapshot);
  await connection.query(sql.insertMarker, [
    sessionId,
    event.seq,
    event.v,
    event.at,
    MARKER_DATA,
    `snapshot-${randomUUID()}`,
  ]);
}
