import { ConcurrencyError, StoreClosedError } from '../errors/index.js';
import { freezeCheckedData } from '../events/json.js';
import { parseStoredEvent } from '../events/parse.js';
import type { StoredEvent } from '../events/schemas.js';
import { isValidatedBatch } from '../events/validated.js';
import { checkBatchContinuity } from './continuity.js';
import type { AppendOptions, EventStore } from './event-store.js';

export interface MemoryEventStore extends EventStore {
  /** The stored events, for inspection in tests. */
  readonly events: readonly StoredEvent[];
  readonly lastSeq: number;
}

/**
 * A real store that keeps its log in memory: for tests, and for agents that want no disk. It
 * validates and freezes what it stores, so later changes to the caller's objects cannot reach it.
 */
export function createMemoryStore(initial: readonly StoredEvent[] = []): MemoryEventStore {
  const log: StoredEvent[] = [];
  let lastSeq = 0;
  let closed = false;

  // All-or-nothing: every event is validated before the log changes.
  const accept = (events: readonly StoredEvent[]): void => {
    // The engine's own batches are valid and deep-frozen already (see events/validated.ts).
    const parsed = isValidatedBatch(events)
      ? events
      : events.map((event) => freezeCheckedData(parseStoredEvent(event)));
    lastSeq = checkBatchContinuity(parsed, lastSeq);
    for (const event of parsed) log.push(event);
  };
  accept(initial);

  return {
    get events() {
      return log.slice();
    },
    get lastSeq() {
      return lastSeq;
    },
    async *load() {
      if (closed) throw new StoreClosedError();
      const end = log.length;
      for (let i = 0; i < end; i++) yield log[i] as StoredEvent;
    },
    async append(events: readonly StoredEvent[], { expectedSeq }: AppendOptions) {
      if (closed) throw new StoreClosedError();
      if (expectedSeq !== lastSeq) throw new ConcurrencyError(expectedSeq, lastSeq);
      accept(events);
    },
    async close() {
      closed = true;
    },
  };
}
