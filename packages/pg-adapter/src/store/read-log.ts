import { CorruptSessionError, type StoredEvent } from '@contextlog/core';
import type { EventParser } from '@contextlog/core/store';
import type { Preparer } from '../client/statement.js';
import type { PgClient } from '../client/types.js';
import { type OpColumn, opColumnOf, type Presence, snapshotsTableOf } from '../schema/op-column.js';
import type { TableName } from '../schema/table.js';
import {
  readSnapshot,
  readSnapshotDeclaration,
  type SnapshotPlace,
} from '../snapshot/read-snapshot.js';
import { MARKER_PREFIX, snapshotStatements } from '../snapshot/sql.js';
import { nextSeq, rowToEvent, sessionSource } from './rows.js';
import { type EventRow, statements } from './sql.js';

/** Where a session's log is read from: its events, and its snapshots when the table has them. */
export interface LogPlace extends SnapshotPlace {
  readonly client: PgClient;
  /** The events page statement, with and without the `op` column. */
  readonly pages: { readonly withOp: string; readonly withoutOp: string };
  readonly opColumn: OpColumn;
  readonly snapshots: Presence;
  readonly pageSize: number;
  /** How the page statement is sent (named or not). */
  readonly prepare: Preparer;
}

const isMarker = (row: EventRow) =>
  row.type === 'state.snapshotted' && row.data.startsWith(MARKER_PREFIX);

/**
 * The log after seq `after`, page by page. From the start (`after` 0) it begins with the latest
 * snapshot, if the session has one, and goes on with the events after it: the events it stands
 * for are not read, whether they are kept or not. A marker row (events up to a snapshot removed)
 * is read as its snapshot: a reader that was behind gets the snapshot, whose state replaces
 * the one it had, then the events after it. `parser` ends up knowing the session's dialect.
 */
export async function* readLog(
  place: LogPlace,
  after: number,
  parser: EventParser,
): AsyncGenerator<StoredEvent> {
  for await (const batch of readLogBatches(place, after, parser)) yield* batch;
}

/** `readLog`'s events, one array per page read (never an empty one). */
export async function* readLogBatches(
  place: LogPlace,
  after: number,
  parser: EventParser,
): AsyncGenerator<readonly StoredEvent[]> {
  const { client, sessionId, source } = place;
  let last = after;
  const withSnapshots = await place.snapshots.present(client);
  if (last === 0 && withSnapshots) {
    for (;;) {
      const { rows } = await client.query<{ seq: number | null }>(place.sql.latest, [sessionId]);
      const seq = rows[0]?.seq ?? null;
      if (seq === null) break;
      const snapshot = await readSnapshot(place, seq, parser);
      // Removed since by a newer snapshot: that one is the latest now.
      if (snapshot === undefined) continue;
      yield [snapshot];
      last = snapshot.seq;
      break;
    }
  }
  const page = (await place.opColumn.present(client)) ? place.pages.withOp : place.pages.withoutOp;
  for (;;) {
    const { rows } = await client.query<EventRow>(
      page,
      [sessionId, last, place.pageSize],
      place.prepare(page),
    );
    const batch: StoredEvent[] = [];
    let readAgain = false;
    for (const row of rows) {
      if (!isMarker(row)) {
        const event = rowToEvent(row, source, parser);
        last = nextSeq(last, event, source);
        batch.push(event);
        continue;
      }
      const snapshot = withSnapshots ? await readSnapshot(place, row.seq, parser) : undefined;
      if (snapshot === undefined) {
        if (!withSnapshots) throw markerWithoutSnapshot(source, row.seq);
        // A newer snapshot removed this one (and its marker) meanwhile: its marker comes next.
        readAgain = true;
        break;
      }
      last = snapshot.seq;
      batch.push(snapshot);
    }
    if (batch.length > 0) yield batch;
    if (!readAgain && rows.length < place.pageSize) return;
  }
}

const markerWithoutSnapshot = (source: string, seq: number) =>
  new CorruptSessionError(
    source,
    undefined,
    undefined,
    `seq ${seq}: a snapshot's marker, but there is no snapshots table (was it dropped?)`,
  );

/**
 * Reads what the session declared (its dialect) into `parser`: its first event, or part 0 of the
 * snapshot its first row marks, without reading the rest of the log.
 */
export async function readDeclaration(place: LogPlace, parser: EventParser): Promise<void> {
  const page = (await place.opColumn.present(place.client))
    ? place.pages.withOp
    : place.pages.withoutOp;
  for (;;) {
    const { rows } = await place.client.query<EventRow>(
      page,
      [place.sessionId, 0, 1],
      place.prepare(page),
    );
    const first = rows[0];
    if (first === undefined) return;
    if (!isMarker(first)) {
      rowToEvent(first, place.source, parser);
      return;
    }
    if (!(await place.snapshots.present(place.client))) {
      throw markerWithoutSnapshot(place.source, first.seq);
    }
    if (await readSnapshotDeclaration(place, first.seq, parser)) return;
  }
}

/** The place of one session of `table`, read `pageSize` events at a time. */
export function logPlaceOf(
  client: PgClient,
  table: TableName,
  sessionId: string,
  pageSize: number,
  prepare: Preparer,
): LogPlace {
  return {
    client,
    sessionId,
    source: sessionSource(table.name, sessionId),
    sql: snapshotStatements(table),
    pages: { withOp: statements(table).page, withoutOp: statements(table, false).page },
    opColumn: opColumnOf(table),
    snapshots: snapshotsTableOf(table),
    pageSize,
    prepare,
  };
}
