import { ValidationError } from '../errors/index.js';
import type { StoredEvent } from '../events/schemas.js';

/**
 * Checks that `events` continue a log that ends at `lastSeq` with no gap or duplicate. Only the
 * first event of a log (lastSeq 0) may be a `state.snapshotted` at any seq: a log that starts with a snapshot.
 * Returns the last seq of the batch.
 */
export function checkBatchContinuity(events: readonly StoredEvent[], lastSeq: number): number {
  let seq = lastSeq;
  for (const [index, event] of events.entries()) {
    const startsWithSnapshot = seq === 0 && index === 0 && event.type === 'state.snapshotted';
    if (event.seq !== seq + 1 && !startsWithSnapshot) {
      throw new ValidationError(
        `events[${index}].seq: expected ${seq + 1}, got ${event.seq} (seqs must continue the log without gaps)`,
        `events[${index}].seq`,
      );
    }
    seq = event.seq;
  }
  return seq;
}
