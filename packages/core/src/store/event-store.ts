import type { StoredEvent } from '../events/schemas.js';

export interface AppendOptions {
  /** The last seq the writer knows; a store whose log ends elsewhere rejects with `ConcurrencyError`. */
  readonly expectedSeq: number;
}

export interface ImportEventsOptions {
  /** Events per append within the import (a positive integer). */
  readonly batchSize: number;
  /**
   * The store the events are read from, when there is one: a store that would wait for ever
   * reading it while the import holds its connection (one PGlite instance) refuses it up front.
   */
  readonly source?: EventSource;
}

/**
 * Where committed events live. `append` is all-or-nothing: it resolves once every event of the
 * batch is stored (and durable, as the store promises), or rejects having stored none of them;
 * a store that cannot undo a partial write rejects with `StoreBrokenError` and refuses all later
 * appends. Every adapter must pass the testkit's `checkStore` suite.
 */
export interface EventStore {
  /** The stored events in seq order. */
  load(): AsyncIterable<StoredEvent>;
  /**
   * Optional: the same events as `load`, in seq order, handed over in arrays (a chunk the store
   * read, a page of rows). Opening a session reads through it when a store has it: one
   * asynchronous step per batch instead of one per event, which is most of what an async
   * iterator costs a replay of small events. A store that has it must give exactly what `load`
   * gives (the testkit's `checkStore` compares them).
   */
  loadBatches?(): AsyncIterable<readonly StoredEvent[]>;
  append(events: readonly StoredEvent[], options: AppendOptions): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional bulk import, which `copyEvents` uses when a store has it: stores `events` (a whole
   * log in seq order, which may start with a `state.snapshotted` past seq 1) into this store,
   * which must hold no events (`CopyTargetNotEmptyError` otherwise), all or nothing: if anything
   * fails, the source's iteration included, the store holds no events afterwards. Resolves
   * once every event is stored (and durable, as the store promises).
   */
  importEvents?(events: AsyncIterable<StoredEvent>, options: ImportEventsOptions): Promise<void>;
}

/** Where `copyEvents` reads a log from: any store, or a read-only reader of one. */
export type EventSource = Pick<EventStore, 'load'>;
