import type { StoredEvent } from '../events/schemas.js';
import type { AppendOptions } from '../store/event-store.js';
import { type MemoryEventStore, openMemoryStore } from '../store/memory-store.js';

export interface HeldAppend {
  readonly events: readonly StoredEvent[];
  readonly expectedSeq: number;
  /** Lets the append reach the inner store. */
  release(): void;
  /** Makes the append reject with `error` without storing anything. */
  fail(error: unknown): void;
}

/**
 * A memory store whose appends wait until the test releases or fails them, so a test can look at
 * the engine while a write is in flight. Test-only; not exported from the package.
 */
export async function createHeldStore(initial: readonly StoredEvent[] = []) {
  const inner: MemoryEventStore = await openMemoryStore({ events: initial });
  const held: HeldAppend[] = [];
  let waiter: (() => void) | undefined;
  let closed = 0;
  const store = {
    load: () => inner.load(),
    close: async () => {
      closed++;
      await inner.close();
    },
    append(events: readonly StoredEvent[], options: AppendOptions) {
      return new Promise<void>((resolve, reject) => {
        held.push({
          events,
          expectedSeq: options.expectedSeq,
          release: () => inner.append(events, options).then(resolve, reject),
          fail: reject,
        });
        waiter?.();
      });
    },
  };
  return {
    store,
    inner,
    get closeCount() {
      return closed;
    },
    /** The next held append, waiting for it if none is held yet. */
    async next(): Promise<HeldAppend> {
      while (held.length === 0) await new Promise<void>((resolve) => (waiter = resolve));
      return held.shift() as HeldAppend;
    },
    get heldCount() {
      return held.length;
    },
  };
}
