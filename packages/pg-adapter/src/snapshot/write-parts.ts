import type { ContextState, DialectOptions, StoredEvent } from '@contextlog/core';
import { createFold, SNAPSHOT_LINE_CHARS, snapshotParts } from '@contextlog/core/store';
import type { PgQueryable } from '../client/types.js';
import type { SnapshotStatements } from './sql.js';

/** A snapshot to store: the state, and its event's seq, version and time. */
export interface SnapshotToWrite {
  readonly state: ContextState;
  readonly seq: number;
  readonly v: number;
  readonly at: string;
}

/**
 * Inserts the snapshot's parts rows, built one at a time from `snapshotParts`: memory holds one
 * part's text besides the state, whatever its size. Returns the number of rows. Inside the
 * caller's transaction: the parts land all together or not at all.
 */
export async function insertSnapshotParts(
  connection: PgQueryable,
  sql: SnapshotStatements,
  sessionId: string,
  snapshot: SnapshotToWrite,
  maxChars?: number,
): Promise<number> {
  let rows = 0;
  // Rows of about a megabyte, not a file's 64 KiB parts: each row is an INSERT of its own.
  const parts = snapshotParts(snapshot.state, { maxChars: maxChars ?? SNAPSHOT_LINE_CHARS });
  for (const part of parts) {
    await connection.query(sql.insertPart, [
      sessionId,
      snapshot.seq,
      part.index,
      part.last,
      snapshot.v,
      snapshot.at,
      part.text,
    ]);
    rows++;
  }
  return rows;
}

/**
 * The state a `state.snapshotted` event stands for, to write it as parts: its dialect must be one
 * this reader has (`dialects`), as for any snapshot (`UnknownDialectError` otherwise).
 */
export function snapshotToWrite(event: StoredEvent, dialects: DialectOptions): SnapshotToWrite {
  const fold = createFold(undefined, dialects);
  fold.apply(event);
  return { state: fold.state, seq: event.seq, v: event.v, at: event.at };
}
