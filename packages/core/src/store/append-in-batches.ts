import type { StoredEvent } from '../events/schemas.js';
import type { EventStore } from './event-store.js';

export interface AppendedBatches {
  readonly events: number;
  /** The last seq appended (0 when there was nothing). */
  readonly lastSeq: number;
}

/**
 * Appends a whole log to a store that holds none of it yet, `batchSize` events at a time, each
 * batch naming the last seq of the one before (0 for the first): the seqs are kept, so a log that
 * starts with a snapshot past seq 1 stays so. For bulk imports (inside a transaction, under a
 * lock) and for `copyEvents` into a store without one.
 */
export async function appendInBatches(
  store: Pick<EventStore, 'append'>,
  events: AsyncIterable<StoredEvent>,
  batchSize: number,
): Promise<AppendedBatches> {
  let lastSeq = 0;
  let count = 0;
  let batch: StoredEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await store.append(batch, { expectedSeq: lastSeq });
    lastSeq = batch[batch.length - 1]?.seq ?? lastSeq;
    count += batch.length;
    batch = [];
  };
  for await (const event of events) {
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { events: count, lastSeq };
}
