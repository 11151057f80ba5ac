import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredEvent } from '@contextlog/core';
import { createEventParser } from '@contextlog/core/store';
import { Observable } from 'rxjs';
import { preparer } from '../client/statement.js';
import type { PgClient, PgUnlisten } from '../client/types.js';
import { checkSessionId, sessionChannel, tableName } from '../schema/table.js';
import { logPlaceOf, readDeclaration, readLog } from '../store/read-log.js';

export interface FollowPgOptions {
  readonly client: PgClient;
  readonly sessionId: string;
  readonly table?: string;
  /** Start after this seq (default 0: the whole session, then what lands). */
  readonly afterSeq?: number;
  /** Rows per read (default 1000). */
  readonly pageSize?: number;
  /** How long to keep trying to listen again after the listening connection is lost (default 30 s). */
  readonly reconnectTimeoutMs?: number;
  /**
   * Also reads every this many milliseconds (default 5000; 0 turns it off): a writer notifies
   * right after its commit, and one that died in between would otherwise leave its last events
   * unseen until the next notification.
   */
  readonly pollIntervalMs?: number;
  /**
   * Read pages with a named prepared statement per connection (default true); false for a
   * connection pooler in transaction mode (see `PgStoreOptions.preparedStatements`).
   */
  readonly preparedStatements?: boolean;
}

/**
 * The committed events of a session, in seq order, as they land: from this process or any
 * other machine. It LISTENs first and reads after, so an event committed between the two is
 * still read; every notification (and every `pollIntervalMs`) triggers a read from the last seq
 * emitted, and reads never overlap, so nothing is emitted twice. A lost listening connection is re-established (with a
 * catch-up read); if that keeps failing the observable errors.
 */
export function followPgSession(options: FollowPgOptions): Observable<StoredEvent> {
  const { client, sessionId } = options;
  checkSessionId(sessionId);
  const table = tableName(options.table);
  const channel = sessionChannel(table, sessionId);
  const pageSize = options.pageSize ?? 1000;
  const log = logPlaceOf(
    client,
    table,
    sessionId,
    pageSize,
    preparer(options.preparedStatements ?? true),
  );
  const reconnectTimeoutMs = options.reconnectTimeoutMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? 5000;

  return new Observable<StoredEvent>((subscriber) => {
    let last = options.afterSeq ?? 0;
    let stopped = false;
    let reading = false;
    let again = false;
    let unlisten: PgUnlisten | undefined;

    const fail = (error: unknown) => {
      if (stopped) return;
      stopped = true;
      subscriber.error(error);
    };

    // Messages are checked with the dialect the session declared in its first event (read once
    // when following starts past it), as far as this reader knows it.
    const parser = createEventParser();
    let declarationRead = last === 0;

    const readNew = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        if (!declarationRead) {
          await readDeclaration(log, parser);
          declarationRead = true;
        }
        do {
          again = false;
          for await (const event of readLog(log, last, parser)) {
            if (stopped) return;
            last = event.seq;
            subscriber.next(event);
          }
        } while (again && !stopped);
      } finally {
        reading = false;
      }
    };

    const onNotify = () => {
      readNew().catch(fail);
    };

    const listen = async (): Promise<void> => {
      const next = await client.listen(channel, onNotify, onLost);
      if (stopped) {
        await next();
        return;
      }
      unlisten = next;
      // The catch-up read comes after LISTEN is in effect: whatever commits from now on also
      // notifies, so nothing falls between this read and the notifications.
      await readNew();
    };

    function onLost() {
      unlisten = undefined;
      if (stopped) return;
      const retry = async () => {
        const deadline = Date.now() + reconnectTimeoutMs;
        let lastError: unknown;
        while (!stopped && Date.now() <= deadline) {
          try {
            await listen();
            return;
          } catch (error) {
            lastError = error;
            // Listening may have worked and the catch-up read failed: start over cleanly.
            const current = unlisten;
            unlisten = undefined;
            await current?.().catch(() => {});
            await sleep(200);
          }
        }
        if (!stopped) throw lastError;
      };
      retry().catch(fail);
    }

    listen().catch(fail);
    const poll =
      pollIntervalMs > 0 ? setInterval(() => readNew().catch(fail), pollIntervalMs) : undefined;
    poll?.unref();

    return () => {
      stopped = true;
      if (poll !== undefined) clearInterval(poll);
      const current = unlisten;
      unlisten = undefined;
      current?.().catch(() => {});
    };
  });
}
