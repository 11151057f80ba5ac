import type { StoredEvent } from '../events/schemas.js';

export interface AppendOptions {
  /** The last seq the writer knows; a store whose log ends elsewhere rejects with `ConcurrencyError`. */
  readonly expectedSeq: number;
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
  append(events: readonly StoredEvent[], options: AppendOptions): Promise<void>;
  close(): Promise<void>;
}
