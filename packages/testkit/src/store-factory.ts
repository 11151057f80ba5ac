import type { EventStore, StoredEvent } from '@contextlog/core';

/** A store made for one test, with what the testkit needs to reopen and clean it up. */
export interface StoreUnderTest {
  readonly store: EventStore;
  /**
   * Opens a new store on the same underlying log (the same file, the same table). Called after
   * `store.close()`; the reopened store must see every committed event and go on from them.
   */
  readonly reopen?: () => Promise<EventStore>;
  /** Frees what the store used (deletes its temp file); called after the store was closed. */
  readonly dispose?: () => Promise<void>;
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
