import type { ContextState, DialectOptions, StoredEvent } from '@contextlog/core';
import type { FuzzedDialect } from '../dialects/fuzzed-dialect.js';
import type { AppendRecord } from '../faulty-store/faulty-store.js';
import type { EngineOperation } from '../operations/operation.js';

/** The abort reason of a scenario's call, recognised by identity. */
export class TestkitAbortError extends Error {
  readonly code = 'TESTKIT_ABORT';
  constructor(readonly callIndex: number) {
    super(`testkit aborted call #${callIndex}`);
    this.name = 'TestkitAbortError';
  }
}

/** One engine call and how it settled; `*At` are steps of the run's timeline. */
export interface CallRecord {
  readonly index: number;
  readonly operation: EngineOperation<unknown>;
  readonly calledAt: number;
  abortReason?: TestkitAbortError;
  abortedAt?: number;
  settledAt?: number;
  status: 'pending' | 'resolved' | 'rejected';
  value?: unknown;
  reason?: unknown;
}

export interface AppendTiming {
  readonly record: AppendRecord;
  readonly startedAt: number;
  settledAt?: number;
}

/** Everything one run saw, for the judge. */
export interface Observation {
  /** The session's dialect, which the model and the folds use. */
  readonly dialect: FuzzedDialect<unknown>;
  readonly foldOptions: DialectOptions;
  readonly initialEvents: readonly StoredEvent[];
  readonly initialState: ContextState<unknown>;
  readonly engineStateAtOpen: ContextState<unknown>;
  readonly calls: readonly CallRecord[];
  readonly appends: readonly AppendTiming[];
  /** Events in the inner store after the run. */
  readonly storedEvents: readonly StoredEvent[];
  /** `engine.state` after quiescence. */
  readonly finalState: ContextState<unknown>;
  /** Violations seen while the run went on (state moved before a write committed …). */
  readonly midRun: readonly string[];
  /** Whether the run went idle with promises pending: nothing settled for `idleMs`. */
  readonly stuck: boolean;
  readonly idleMs: number;
  readonly timeline: readonly string[];
}
