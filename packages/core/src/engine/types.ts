import type { Observable } from 'rxjs';
import type { JsonValue } from '../events/json.js';
import type { Message } from '../events/message.js';
import type { StoredEvent } from '../events/schemas.js';
import type { ContextState } from '../projection/state.js';

export interface CommandOptions {
  /**
   * Aborting before the command's batch forms drops it and rejects with `signal.reason`; once its
   * batch is being written, the command settles with the real outcome of the write.
   */
  readonly signal?: AbortSignal;
}

export interface CheckpointOptions extends CommandOptions {
  /** Also append the user message `<system>CHECKPOINT {id}</system>`, as kimi-cli does. */
  readonly addUserMessage?: boolean;
}

export interface CompactOptions extends CommandOptions {
  /** The token count of the compacted history; by default its estimate (text code points / 4). */
  readonly tokenCount?: number;
}

export interface EngineStats {
  /** Commands waiting for a batch. */
  readonly queueDepth: number;
  /** Commands in the batch being written now. */
  readonly inFlight: number;
  readonly batchesWritten: number;
  readonly eventsWritten: number;
  readonly lastBatchSize: number;
  /** Milliseconds the last `store.append` took. */
  readonly lastAppendLatencyMs: number;
  readonly status: 'open' | 'stale' | 'broken' | 'closed';
}

export interface ContextEngine {
  /** The last committed state. */
  readonly state: ContextState;
  /**
   * The current state on subscribe, then once per committed batch, before that batch's promises
   * resolve. Completes on close; never errors.
   */
  readonly state$: Observable<ContextState>;
  /** Each committed event, in seq order: this engine's, and those another writer committed, once `reload()` reads them. */
  readonly events$: Observable<StoredEvent>;

  setSystemPrompt(prompt: string, options?: CommandOptions): Promise<void>;
  appendMessages(messages: Message | readonly Message[], options?: CommandOptions): Promise<void>;
  recordUsage(tokenCount: number, options?: CommandOptions): Promise<void>;
  /** Resolves with the id of the new checkpoint. */
  checkpoint(options?: CheckpointOptions): Promise<number>;
  revertTo(checkpointId: number, options?: CommandOptions): Promise<void>;
  clear(options?: CommandOptions): Promise<void>;
  compact(messages: readonly Message[], options?: CompactOptions): Promise<void>;
  setMetadata(key: string, value: JsonValue, options?: CommandOptions): Promise<void>;

  /** Re-reads the store (after a `ConcurrencyError`); serialized with the commands. */
  reload(): Promise<ContextState>;
  /** Writes what is queued, completes the streams and closes the store. */
  close(): Promise<void>;
  stats(): EngineStats;
}

export interface ContextOptions {
  /** Most commands that may wait for a batch; beyond it commands reject with `QueueFullError`. */
  readonly maxPending?: number;
  /** Source of the events' `at` timestamps. */
  readonly clock?: () => Date;
}
