import {
  CopyTargetNotEmptyError,
  hasCode,
  StoreBrokenError,
  type StoredEvent,
} from '@contextlog/core';
import { appendInBatches } from '@contextlog/core/store';
import type { PgClient, PgConnection } from '../client/types.js';
import type { PgEventStore } from './pg-store.js';

/** What an import needs of the store it imports into. */
export interface ImportTarget {
  readonly client: PgClient;
  /** The store's name in messages. */
  readonly source: string;
  /** A store of the same session on `client` (a transaction's connection, or the pool). */
  open(client: PgClient, inTransaction: boolean): Pick<PgEventStore, 'append' | 'lastSeq'>;
}

/**
 * Imports a whole log in one transaction: the appends inside it claim the session's head like
 * any append, so of the import and a writer racing it one is refused and stores nothing, and a
 * failure anywhere (the source's included) rolls everything back.
 */
export async function importInTransaction(
  target: ImportTarget,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
): Promise<void> {
  const { client, source } = target;
  const connection = await client.connect();
  let broken = false;
  let written: number | undefined;
  try {
    await connection.query('BEGIN');
    const store = target.open(onConnection(client.kind, connection), true);
    if ((await store.lastSeq()) !== 0) throw new CopyTargetNotEmptyError(source);
    written = (await appendInBatches(store, events, batchSize)).lastSeq;
    await connection.query('COMMIT');
  } catch (error) {
    if (written !== undefined && hasCode(error, 'PG_CONNECTION_LOST')) {
      // The COMMIT's outcome is unknown: wait until it can no longer happen, then look.
      broken = true;
      await connection.fence();
      const stored = await target.open(client, false).lastSeq();
      if (stored === written) return;
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
    query: (sql, params) => connection.query(sql, params),
    connect: async () => ({
      query: (sql, params) => connection.query(sql, params),
      release: () => {},
      fence: () => connection.fence(),
    }),
    listen: () => Promise.reject(new Error('no LISTEN inside an import transaction')),
    end: async () => {},
  };
}
