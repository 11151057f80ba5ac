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

/** What a store's `importEvents` may report. */
export interface ImportedEvents {
  /**
   * The store read back what it stored and found every event exactly as it was given (the
   * PostgreSQL store compares a digest the server computes of the stored rows with one of the
   * rows it sent, before it commits): `copyEvents` then takes the source's state for the
   * target's and does not replay the target. Without it, `copyEvents` replays the target.
   */
  readonly checked: boolean;
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
   * once every event is stored (and durable, as the store promises), with `{ checked: true }`
   * if it also checked that what it stored is what it was given (see `ImportedEvents`).
   */
  importEvents?(
    events: AsyncIterable<StoredEvent>,
    options: ImportEventsOptions,
    // biome-ignore lint/suspicious/noConfusingVoidType: a store's import may resolve with nothing, as before `ImportedEvents`
  ): Promise<void | ImportedEvents>;
}

/** Where `copyEvents` reads a log from: any store, or a read-only reader of one. */
export type EventSource = Pick<EventStore, 'load'>;
