import type { Observable } from 'rxjs';
import type { Dialect } from '../dialect/dialect.js';
import type { TokenEstimator } from '../dialect/estimator.js';
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
  /**
   * Names the command so that a retry of it is safe (say, after a write whose outcome is
   * unknown): stored with its event, and remembered by the state (the last `MAX_OPERATION_IDS`).
   * A command whose id the state already remembers, with the same type and data, writes nothing
   * and resolves with what the first returned; with another type or data it rejects with
   * `OperationConflictError`. A string of 1 to 256 characters.
   */
  readonly operationId?: string;
}

export interface ReplaceOptions<M = Message> extends CommandOptions {
  /**
   * The history from `from` on as the caller saw it: when the history differs (as JSON, key
   * order ignored), the edit rejects with `HistoryMismatchError` and changes nothing. Not part of
   * the command's operation fingerprint (the event does not store it).
   */
  readonly expectedSuffix?: readonly M[];
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

/**
 * A session's engine: its messages are of type `M`, the type of its dialect (kimi-cli's `Message`
 * unless it was opened with another).
 */
export interface ContextEngine<M = Message> {
  /** The last committed state. */
  readonly state: ContextState<M>;
  /**
   * The current state on subscribe, then once per committed batch, before that batch's promises
   * resolve. Completes on close; never errors.
   */
  readonly state$: Observable<ContextState<M>>;
  /** Each committed event, in seq order: this engine's, and those another writer committed, once `reload()` reads them. */
  readonly events$: Observable<StoredEvent>;

  setSystemPrompt(prompt: string, options?: CommandOptions): Promise<void>;
  appendMessages(messages: M | readonly M[], options?: CommandOptions): Promise<void>;
  recordUsage(tokenCount: number, options?: CommandOptions): Promise<void>;
  /** Resolves with the id of the new checkpoint. */
  checkpoint(options?: CheckpointOptions): Promise<number>;
  revertTo(checkpointId: number, options?: CommandOptions): Promise<void>;
  clear(options?: CommandOptions): Promise<void>;
  compact(messages: readonly M[], options?: CompactOptions): Promise<void>;
  setMetadata(key: string, value: JsonValue, options?: CommandOptions): Promise<void>;
  /**
   * Replaces the history from index `from` (0 ≤ from ≤ length) with `messages` (which may be
   * empty: a pop): `messages.replaced`.
   */
  replaceMessages(from: number, messages: readonly M[], options?: ReplaceOptions<M>): Promise<void>;
  /** Replaces the message at `index` (0 ≤ index < length): `message.replaced`. */
  replaceMessage(index: number, message: M, options?: CommandOptions): Promise<void>;

  /** Re-reads the store (after a `ConcurrencyError`); serialized with the commands. */
  reload(): Promise<ContextState<M>>;
  /** Writes what is queued, completes the streams and closes the store. */
  close(): Promise<void>;
  stats(): EngineStats;
}

export interface ContextOptions<M = Message> {
  /**
   * The dialect of the session's messages (kimi-cli's by default). A new session records it in
   * its first event; an existing one must have been created with the same dialect and version
   * (`DialectMismatchError` otherwise).
   */
  readonly dialect?: Dialect<M>;
  /**
   * The token estimator of a new session (kimi-cli's by default), recorded like the dialect. For
   * an existing session, given only to check it: the session keeps the estimator it was created with.
   */
  readonly estimator?: TokenEstimator;
  /** Most commands that may wait for a batch; beyond it commands reject with `QueueFullError`. */
  readonly maxPending?: number;
  /** Source of the events' `at` timestamps. */
  readonly clock?: () => Date;
}
