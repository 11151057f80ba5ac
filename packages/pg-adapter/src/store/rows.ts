import { CorruptSessionError, hasCode, type StoredEvent } from '@contextlog/core';
import type { EventParser } from '@contextlog/core/store';
import type { EventRow } from './sql.js';

/** Where a session lives, as errors name it. */
export function sessionSource(table: string, sessionId: string): string {
  return `postgres table ${table}, session ${JSON.stringify(sessionId)}`;
}

/** A stored row back to the event it was: `data` is JSON text, parsed here so it round-trips exactly. */
export function rowToEvent(row: EventRow, source: string, parser: EventParser): StoredEvent {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch (error) {
    throw new CorruptSessionError(
      source,
      undefined,
      undefined,
      `seq ${row.seq}: data is not JSON`,
      {
        cause: error,
      },
    );
  }
  try {
    const { seq, type, v, at, op } = row;
    return parser.parse(
      op === null || op === undefined ? { seq, type, v, at, data } : { seq, type, v, at, data, op },
      { parsedFromJson: true },
    );
  } catch (error) {
    // An unknown type or version stays an UnknownEventError: a newer writer, not corruption.
    if (hasCode(error, 'UNKNOWN_EVENT')) throw error;
    throw new CorruptSessionError(
      source,
      undefined,
      undefined,
      `seq ${row.seq}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * Checks that `event` continues a log read so far up to `last` (only a log's first event may be a
 * `state.snapshotted` at any seq) and returns its seq: loading and following read the same way.
 */
export function nextSeq(last: number, event: StoredEvent, source: string): number {
  const startsWithSnapshot = last === 0 && event.type === 'state.snapshotted';
  if (event.seq !== last + 1 && !startsWithSnapshot) {
    throw new CorruptSessionError(
      source,
      undefined,
      undefined,
      `seq ${event.seq} follows seq ${last}: the log has a gap`,
    );
  }
  return event.seq;
}
