import type { StoredEvent } from './schemas.js';

/**
 * The batches this copy of core's engine built. The engine validates a command's data at call
 * time and deep-freezes it, stamps `seq` and `at` itself into frozen events, and freezes the batch
 * array it hands to `store.append`: such a batch is valid when it reaches a store, and nobody can
 * change it on the way. Stores skip validating it a second time (that was ~6 µs a message of a
 * file append) and still validate every other batch, say from a direct caller of `store.append`.
 *
 * Why this is safe: only `markValidated` adds to the set, and it is not exported from the package.
 * A WeakSet holds objects by identity, so a copy of a batch (a spread, `slice`, a structured clone,
 * a store wrapper that builds its own array) is never marked, and a marked batch is frozen all the
 * way down, so it cannot be changed after it was checked: no event added, removed or edited. A
 * second copy of core in a user's tree has its own set: its batches are simply validated. The mark
 * is per batch, not per event: one WeakSet entry per event cost ~0.4 µs a message.
 */
const VALIDATED = new WeakSet<readonly StoredEvent[]>();

/** Freezes and marks a batch of frozen events built from validated data. Internal to core. */
export function markValidated(events: StoredEvent[]): readonly StoredEvent[] {
  const batch = Object.freeze(events);
  VALIDATED.add(batch);
  return batch;
}

/** Whether `events` is a batch this core's engine built from validated data (frozen, so still valid). */
export function isValidatedBatch(events: readonly StoredEvent[]): boolean {
  return VALIDATED.has(events);
}
