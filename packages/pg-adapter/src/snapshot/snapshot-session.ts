import { randomUUID } from 'node:crypto';
import { ConcurrencyError, type DialectOptions, type StoredEvent } from '@contextlog/core';
import { createFold } from '@contextlog/core/store';
import type { PgSessionTarget } from '../catalog/types.js';
import { inTransaction } from '../client/transaction.js';
import type { PgConnection } from '../client/types.js';
import { PgSessionNotFoundError, PgTableMissingError, translateMissingTable } from '../errors.js';
import { snapshotsTableOf } from '../schema/op-column.js';
import {
  checkSessionId,
  sessionChannel,
  sessionsTableName,
  snapshotsTableName,
  type TableName,
  tableName,
} from '../schema/table.js';
import { openPgStore } from '../store/pg-store.js';
import { sessionSource } from '../store/rows.js';
import { statements } from '../store/sql.js';
import { MARKER_DATA, snapshotStatements } from './sql.js';
import { insertSnapshotParts } from './write-parts.js';

export interface SnapshotPgOptions extends PgSessionTarget, DialectOptions {
  /**
   * Also remove the events up to the snapshot (and older snapshots): the session then starts
   * with the snapshot. Default false: they are kept, and only loading skips them.
   */
  readonly removeOlder?: boolean;
  /** Events per read while replaying the session (default 1000). */
  readonly pageSize?: number;
  /** Characters of JSON per part row (default about a megabyte: `SNAPSHOT_LINE_CHARS`). */
  readonly maxPartChars?: number;
}

export interface SnapshotPgResult {
  readonly sessionId: string;
  readonly table: string;
  /** The snapshot's seq: the session's last seq when it was read; the next append is seq + 1. */
  readonly seq: number;
  /** Part rows written (0 when the latest snapshot already was at that seq). */
  readonly partRows: number;
  /** Events removed (with `removeOlder`). */
  readonly removedEvents: number;
}

/** The last event a replay read: what must still be at its seq when the snapshot is written. */
interface LastRead {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
}

/**
 * Takes a snapshot of a PostgreSQL session: replays it (from its latest snapshot, as loading
 * does) and writes a `state.snapshotted` at its last seq, as part rows in the snapshots table
 * (`<table>_snapshots`, made by `migrate`). The state does not change: loading afterwards gives
 * the same state, from the snapshot and the events after it.
 *
 * Writers are not held while the session is replayed; the write is a transaction that first
 * locks the session's row in the sessions table, the row every append claims, so an append
 * commits before it (and is after the snapshot's seq: it stays an event after the snapshot) or
 * waits for it and commits after, never lost. With `removeOlder`, the events up to the
 * snapshot's seq and older snapshots are deleted in that transaction, and a marker row of type
 * `state.snapshotted` takes the snapshot's seq in the events table (readers see the snapshot
 * there; appends go on at seq + 1).
 *
 * A session without events is `PgSessionNotFoundError`; a table migrated before snapshots,
 * `PgTableMissingError` naming the snapshots table (run `migrate`); a session of a dialect not in
 * `dialects`, `UnknownDialectError`. Nothing is changed then.
 */
export async function snapshotPgSession(options: SnapshotPgOptions): Promise<SnapshotPgResult> {
  const { client, sessionId } = options;
  checkSessionId(sessionId);
  const table = tableName(options.table);
  const translate = (error: unknown) =>
    translateMissingTable(error, table.name, sessionsTableName(table).name);
  const present = await snapshotsTableOf(table)
    .present(client)
    .catch((error: unknown) => {
      throw translate(error);
    });
  if (!present) {
    throw new PgTableMissingError(table.name, { missing: snapshotsTableName(table).name });
  }
  const store = await openPgStore({
    client,
    sessionId,
    table: table.name,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  const fold = createFold(undefined, dialectsOf(options));
  let last: LastRead | undefined;
  try {
    for await (const event of store.load()) {
      fold.apply(event);
      last = lastRead(event);
    }
  } finally {
    await store.close();
  }
  if (last === undefined) throw new PgSessionNotFoundError(sessionId, table.name);
  const read = last;
  const result = await inTransaction(client, (connection) =>
    writeSnapshot(
      connection,
      table,
      sessionId,
      read,
      (at) => ({
        state: fold.state,
        seq: read.seq,
        v: 1,
        at,
      }),
      options,
    ),
  ).catch((error: unknown) => {
    throw translate(error);
  });
  // Wake followers: one that was behind the removed events reads the snapshot now.
  await client
    .query(statements(table).notify, [sessionChannel(table, sessionId), String(read.seq)])
    .catch(() => undefined);
  return result;
}

const lastRead = ({ seq, type, at }: StoredEvent): LastRead => ({ seq, type, at });

function dialectsOf(options: DialectOptions): DialectOptions {
  return {
    ...(options.dialects === undefined ? {} : { dialects: options.dialects }),
    ...(options.estimators === undefined ? {} : { estimators: options.estimators }),
  };
}

async function writeSnapshot(
  connection: PgConnection,
  table: TableName,
  sessionId: string,
  read: LastRead,
  snapshotAt: (at: string) => Parameters<typeof insertSnapshotParts>[3],
  options: SnapshotPgOptions,
): Promise<SnapshotPgResult> {
  const sql = snapshotStatements(table);
  const { seq } = read;
  // A session written before the sessions table gets its row, so that there is a row to lock.
  await connection.query(sql.ensureHead, [sessionId, seq]);
  const { rows: head } = await connection.query<{ head: number }>(sql.lockHead, [sessionId]);
  // From here until COMMIT no append of the session can commit.
  const { rows: latest } = await connection.query<{ seq: number | null }>(sql.latest, [sessionId]);
  const already = latest[0]?.seq === seq;
  if (!already) {
    const { rows } = await connection.query<{ type: string; at: string }>(sql.eventAt, [
      sessionId,
      seq,
    ]);
    const stored = rows[0];
    if (stored === undefined || stored.type !== read.type || stored.at !== read.at) {
      throw new ConcurrencyError(
        seq,
        head[0]?.head ?? 0,
        `${sessionSource(table.name, sessionId)}: seq ${seq} changed while the session was read for its snapshot (deleted or rewritten): nothing was written; snapshot again`,
      );
    }
  }
  // An existing snapshot at this seq keeps its time; a new one is taken now.
  const at = already ? read.at : new Date().toISOString();
  const partRows = already
    ? 0
    : await insertSnapshotParts(connection, sql, sessionId, snapshotAt(at), options.maxPartChars);
  let removedEvents = 0;
  if (options.removeOlder === true) {
    const { rows } = await connection.query<{ n: number }>(sql.removeEvents, [sessionId, seq]);
    removedEvents = rows[0]?.n ?? 0;
    await connection.query(sql.insertMarker, [
      sessionId,
      seq,
      1,
      at,
      MARKER_DATA,
      `snapshot-${randomUUID()}`,
    ]);
    await connection.query(sql.removeSnapshots, [sessionId, seq]);
  }
  return { sessionId, table: table.name, seq, partRows, removedEvents };
}
