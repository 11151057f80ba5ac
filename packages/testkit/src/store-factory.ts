import type { EventStore, StoredEvent } from '@contextlog/core';

/** A store made for one test, with what the testkit needs to reopen and clean it up. */
export interface StoreUnderTest {
  readonly store: EventStore;
  /**
   * Opens a new store on the same underlying log (the same file, the same table). Called after
   * `store.close()`; the reopened store must see every committed event and go on from them.
   */
  readonly reopen?: () => Promise<EventStore>;
  /**
   * Opens a second store on the same log while `store` is still open, as a second process
   * opening the same session would. The two are then raced against each other. A store that
   * admits one writer only (a lock) rejects here, which the race check counts as a pass.
   */
  readonly openAnother?: () => Promise<EventStore>;
  /** Lets the testkit make a write of the backing hang: see `StallHook`. */
  readonly stall?: StallHook;
  /** Frees what the store used (deletes its temp file); called after the store was closed. */
  readonly dispose?: () => Promise<void>;
}

/**
 * Makes one write of a store's backing (a file write, a database statement) never reply, as a
 * silent network drop or a hung disk does, so the testkit can check that the store settles the
 * append anyway.
 */
export interface StallHook {
  /**
   * Makes the backing write of `store`'s next append never get its reply. Whether that write
   * lands (the statement commits, the bytes reach the file) is up to the hook: the store cannot
   * know either way, and the check accepts what the contract allows for both.
   */
  readonly stallNextWrite: () => void | Promise<void>;
  /**
   * The longest the store takes to settle such an append (resolve, or reject: with
   * `StoreBrokenError` when it cannot tell whether the batch was stored), and any append or
   * `close()` after it. The check allows a grace of 100 ms plus a tenth of it for timers.
   */
  readonly settleWithinMs: number;
}

/**
 * Makes a fresh, empty store. `id` is unique within the test run (use it to name a file or a
 * session). Returning a bare `EventStore` is fine when it cannot be reopened and needs no cleanup.
 */
export type MakeStore = (id: string) => Promise<EventStore | StoreUnderTest>;

let counter = 0;

/** A fresh id for a store, unique in this process. */
export function freshStoreId(prefix = 'store'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}`;
}

export async function openStoreUnderTest(
  make: MakeStore,
  id = freshStoreId(),
): Promise<StoreUnderTest> {
  const made = await make(id);
  return isStoreUnderTest(made) ? made : { store: made };
}

function isStoreUnderTest(value: EventStore | StoreUnderTest): value is StoreUnderTest {
  return 'store' in value && typeof (value as Partial<EventStore>).append !== 'function';
}

/** Reads a store's whole log into an array. */
export async function loadAll(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const event of store.load()) events.push(event);
  return events;
}
