import { CorruptSessionError, hasCode, type StoredEvent } from '@contextlog/core';
import { createSnapshotAssembler, type EventParser } from '@contextlog/core/store';
import type { PgQueryable } from '../client/types.js';
import type { SnapshotRow, SnapshotStatements } from './sql.js';

/** Parts per read: a part is about a megabyte of JSON, so a read holds a few. */
const PARTS_PER_READ = 4;

/** Where a session's snapshots are read from. */
export interface SnapshotPlace {
  readonly client: PgQueryable;
  readonly sessionId: string;
  /** The session as errors name it. */
  readonly source: string;
  readonly sql: SnapshotStatements;
}

const corrupt = (place: SnapshotPlace, seq: number, part: number, error: unknown) =>
  new CorruptSessionError(
    place.source,
    undefined,
    undefined,
    `snapshot seq ${seq}, part ${part}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );

/** A part row as the raw event the assembler takes: seq and type are the snapshot's. */
function rawPart(place: SnapshotPlace, seq: number, row: SnapshotRow): unknown {
  try {
    return { seq, type: 'state.snapshotted', v: row.v, at: row.at, data: JSON.parse(row.data) };
  } catch (error) {
    throw corrupt(place, seq, row.part, error);
  }
}

/**
 * The snapshot at `seq`, its parts read a few at a time and joined as they come (memory holds the
 * state being built and a few parts' text, never the state as one string). Undefined when its
 * parts are not all there: removed since its seq was read (a newer snapshot that removed older
 * ones), so the caller reads again from where it was. `parser` reads part 0 as a whole event
 * (which declares the session's dialect) and is left knowing that dialect.
 */
export async function readSnapshot(
  place: SnapshotPlace,
  seq: number,
  parser: EventParser,
): Promise<StoredEvent | undefined> {
  const assembler = createSnapshotAssembler(parser);
  let after = -1;
  for (;;) {
    const { rows } = await place.client.query<SnapshotRow>(place.sql.parts, [
      place.sessionId,
      seq,
      after,
      PARTS_PER_READ,
    ]);
    if (rows.length === 0) return undefined;
    for (const row of rows) {
      // Parts are written in one transaction and removed in one: a gap is not a race.
      if (row.part !== after + 1) {
        throw corrupt(place, seq, row.part, new Error(`part ${after + 1} is missing`));
      }
      let event: StoredEvent | undefined;
      try {
        event = assembler.add(rawPart(place, seq, row), { index: row.part, last: row.last });
      } catch (error) {
        // A snapshot of a newer writer's dialect or version is not corruption.
        if (hasCode(error, 'UNKNOWN_EVENT') || hasCode(error, 'CORRUPT_SESSION')) throw error;
        throw corrupt(place, seq, row.part, error);
      }
      if (event !== undefined) return event;
      after = row.part;
    }
  }
}

/**
 * Reads only part 0 of the snapshot at `seq` into `parser`, so that it knows the dialect the
 * session declared; false when the snapshot is gone.
 */
export async function readSnapshotDeclaration(
  place: SnapshotPlace,
  seq: number,
  parser: EventParser,
): Promise<boolean> {
  const { rows } = await place.client.query<SnapshotRow>(place.sql.parts, [
    place.sessionId,
    seq,
    -1,
    1,
  ]);
  const first = rows[0];
  if (first === undefined) return false;
  try {
    parser.parse(rawPart(place, seq, first), { parsedFromJson: true });
  } catch (error) {
    if (hasCode(error, 'UNKNOWN_EVENT') || hasCode(error, 'CORRUPT_SESSION')) throw error;
    throw corrupt(place, seq, 0, error);
  }
  return true;
}
