import type { StoredEvent } from '../events/schemas.js';
import type { EventStore } from './event-store.js';

export interface AppendedBatches {
  readonly events: number;
  /** The last seq appended (0 when there was nothing). */
  readonly lastSeq: number;
}

export interface AppendInBatchesOptions {
  /**
   * Gather the next batch from `events` while the one before is being appended (at most one
   * append in flight, each started once the one before resolved): for a store whose append
   * waits on a server, which then works while this process reads. Default false.
   */
  readonly overlap?: boolean;
}

/**
 * Appends a whole log to a store that holds none of it yet, `batchSize` events at a time, each
 * batch naming the last seq of the one before (0 for the first): the seqs are kept, so a log that
 * starts with a snapshot past seq 1 stays so. For bulk imports (inside a transaction, under a
 * lock) and for `copyEvents` into a store without one. On a failure (of an append or of
 * `events`) it rejects only once no append is in flight any more.
 */
export async function appendInBatches(
  store: Pick<EventStore, 'append'>,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
  options: AppendInBatchesOptions = {},
): Promise<AppendedBatches> {
  let lastSeq = 0;
  let count = 0;
  let batch: StoredEvent[] = [];
  let appending: Promise<void> | undefined;
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    const expectedSeq = lastSeq;
    lastSeq = full[full.length - 1]?.seq ?? lastSeq;
    count += full.length;
    if (appending !== undefined) await appending;
    appending = store.append(full, { expectedSeq });
    // Awaited at the next flush, at the end, or after a failure: never left unhandled.
    appending.catch(() => undefined);
    if (options.overlap !== true) await appending;
  };
  try {
    for await (const event of events) {
      batch.push(event);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await appending;
  } catch (error) {
    // The caller rolls back or removes what was written: not while an append still writes.
    await appending?.catch(() => undefined);
    throw error;
  }
  return { events: count, lastSeq };
}
