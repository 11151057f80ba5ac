import {
  CopyTargetNotEmptyError,
  hasCode,
  StoreBrokenError,
  type StoredEvent,
} from '@contextlog/core';
import { appendInBatches, type ImportedEvents } from '@contextlog/core/store';
import type { PgClient, PgConnection } from '../client/types.js';
import type { TableName } from '../schema/table.js';
import type { AppendRequest } from './group-commit.js';
import type { PgEventStore } from './pg-store.js';
import { checkStoredRows, type SentRows, sentRows } from './row-digest.js';

/** What an import needs of the store it imports into. */
export interface ImportTarget {
  readonly client: PgClient;
  /** The store's name in messages. */
  readonly source: string;
  readonly table: TableName;
  readonly sessionId: string;
  /**
   * A store of the same session on `client` (a transaction's connection, or the pool);
   * `onStored` hears each append's rows as sent, once stored.
   */
  open(
    client: PgClient,
    inTransaction: boolean,
    onStored?: (request: AppendRequest) => void,
  ): Pick<PgEventStore, 'append' | 'lastSeq'>;
  /** Writes the snapshot a log starts with (as part rows), inside the import's transaction. */
  importSnapshot(connection: PgConnection, event: StoredEvent): Promise<void>;
}

/**
 * Imports a whole log in one transaction: the appends inside it claim the session's head like
 * any append, so of the import and a writer racing it one is refused and stores nothing, and a
 * failure anywhere (the source's included) rolls everything back. Before the COMMIT, the rows
 * are read back as digests (row-digest.ts) and must be the ones sent: `checked` unless the log
 * starts with a snapshot (part rows, which only a replay checks) or the rows keep no exact text.
 */
export async function importInTransaction(
  target: ImportTarget,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
): Promise<ImportedEvents> {
  const { client, source } = target;
  const connection = await client.connect();
  let broken = false;
  let written: number | undefined;
  try {
    await connection.query('BEGIN');
    const sent: SentRows[] = [];
    let withOp = true;
    const store = target.open(onConnection(client.kind, connection), true, (request) => {
      sent.push(sentRows(request));
      withOp = request.ops !== undefined;
    });
    if ((await store.lastSeq()) !== 0) throw new CopyTargetNotEmptyError(source);
    const log = events[Symbol.asyncIterator]();
    const first = await log.next();
    let start = 0;
    let rest = following(first.done === true ? undefined : first.value, log);
    if (first.done !== true && first.value.type === 'state.snapshotted') {
      // A state far larger than one value: stored as part rows, not as the event's one row.
      await target.importSnapshot(connection, first.value);
      start = first.value.seq;
      rest = following(undefined, log);
    }
    // The server stores a batch while the next is read and checked here.
    const appended = await appendInBatches(continuing(store, start), rest, batchSize, {
      overlap: true,
    });
    const checked =
      start === 0 &&
      (await checkStoredRows(connection, target.table, target.sessionId, sent, withOp, source));
    written = Math.max(start, appended.lastSeq);
    await connection.query('COMMIT');
    return { checked };
  } catch (error) {
    if (written !== undefined && hasCode(error, 'PG_CONNECTION_LOST')) {
      // The COMMIT's outcome is unknown: wait until it can no longer happen, then look.
      broken = true;
      await connection.fence();
      const stored = await target.open(client, false).lastSeq();
      // Committed after all; what was read back before the COMMIT held, but say nothing of it.
      if (stored === written) return { checked: false };
      if (stored !== 0) {
        throw new StoreBrokenError(
          `${source}: the connection was lost during COMMIT and the session now ends at seq ${stored}: check it before copying again`,
          { cause: error },
        );
      }
      throw error;
    }
    await connection.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    connection.release(broken);
  }
}

/** A client whose every statement runs on one connection (inside its transaction). */
function onConnection(kind: string, connection: PgConnection): PgClient {
  return {
    kind,
    query: (sql, params, options) => connection.query(sql, params, options),
    connect: async () => ({
      query: (sql, params, options) => connection.query(sql, params, options),
      release: () => {},
      fence: () => connection.fence(),
    }),
    listen: () => Promise.reject(new Error('no LISTEN inside an import transaction')),
    end: async () => {},
  };
}

/** `first` (already taken from `log`) if there is one, then the rest of `log`. */
async function* following(
  first: StoredEvent | undefined,
  log: AsyncIterator<StoredEvent>,
): AsyncGenerator<StoredEvent> {
  if (first !== undefined) yield first;
  for (;;) {
    const next = await log.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/** `store`, appended to from seq `start` on: appendInBatches's first batch names seq 0. */
function continuing(
  store: Pick<PgEventStore, 'append'>,
  start: number,
): Pick<PgEventStore, 'append'> {
  if (start === 0) return store;
  return {
    append: (events, { expectedSeq }) =>
      store.append(events, { expectedSeq: expectedSeq === 0 ? start : expectedSeq }),
  };
}
