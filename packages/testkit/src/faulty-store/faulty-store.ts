import {
  ContextlogError,
  type EventStore,
  StoreBrokenError,
  type StoredEvent,
} from '@contextlog/core';
import type { AppendOptions } from '@contextlog/core/store';
import type fc from 'fast-check';

declare module '@contextlog/core' {
  interface ContextlogErrorCodes {
    INJECTED_FAULT: InjectedFaultError;
  }
}

/** What the faulty store does to one append. */
export type AppendFault =
  | { readonly kind: 'none' }
  /** Rejects without writing anything (a failed write the store could undo). */
  | { readonly kind: 'reject' }
  /**
   * Writes the first `keep` events of the batch (at most all but one) to the inner store, then
   * reports `StoreBrokenError` and refuses every later append.
   */
  | { readonly kind: 'broken'; readonly keep: number };

/** The error of an injected rejected append: code `INJECTED_FAULT`. */
export class InjectedFaultError extends ContextlogError {
  readonly code = 'INJECTED_FAULT';
  constructor(readonly appendIndex: number) {
    super(`injected fault: append #${appendIndex} rejected, nothing written`);
  }
}

export type AppendStatus =
  | 'pending'
  | 'committed'
  /** An injected rejection. */
  | 'rejected'
  /** An injected partial write that reported `StoreBrokenError`. */
  | 'broken'
  /** Refused because an earlier append broke the store. */
  | 'refused'
  /** The inner store rejected it (wrong `expectedSeq`, a gap, an invalid event …). */
  | 'failed';

/** One call to `append`, as the faulty store saw it. */
export interface AppendRecord {
  readonly index: number;
  readonly events: readonly StoredEvent[];
  readonly expectedSeq: number;
  readonly fault: AppendFault;
  /** Appends already in flight when this one was called (more than 0 breaks serialization). */
  readonly concurrent: number;
  status: AppendStatus;
  error?: unknown;
}

export interface FaultyStoreOptions {
  /**
   * The fault of each append, by call index (0-based): a list (appends beyond it get none) or a
   * function. Without it, `rejectRate` and `brokenRate` draw faults from `random`.
   */
  readonly faults?:
    | readonly AppendFault[]
    | ((index: number, events: readonly StoredEvent[]) => AppendFault);
  /** Probability that an append is rejected (default 0). */
  readonly rejectRate?: number;
  /** Probability that an append writes part of its batch and breaks the store (default 0). */
  readonly brokenRate?: number;
  /** Source of randomness for the rates (default `Math.random`). */
  readonly random?: () => number;
  /** Milliseconds each append waits before it writes (a number, or per append index). */
  readonly latencyMs?: number | ((index: number) => number);
  /**
   * When given, the scheduler decides when each append starts writing and when it returns, so
   * `fc.scheduler()` explores the interleavings of appends with everything else it schedules.
   */
  readonly scheduler?: fc.Scheduler;
  /** Called when an append is called, before anything is written. */
  readonly onAppendStart?: (record: AppendRecord) => void;
  /** Called when an append is about to return or throw, after its effect on the inner store. */
  readonly onAppendSettle?: (record: AppendRecord) => void;
}

export interface FaultyStore extends EventStore {
  readonly inner: EventStore;
  /** Every append call so far, in call order. */
  readonly appends: readonly AppendRecord[];
  /** Appends called and not yet returned. */
  readonly inFlight: number;
  /** The most appends ever in flight at once: 1 for an engine that serializes its writes. */
  readonly maxInFlight: number;
  /** Whether an injected partial write broke the store. */
  readonly broken: boolean;
  /** Calls to the inner store still running (real I/O the scheduler cannot see). */
  readonly innerPending: number;
}

const NO_FAULT: AppendFault = Object.freeze({ kind: 'none' });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps any `EventStore` to inject the failures a real disk or database produces: rejected
 * appends, partial writes that break the store, latency, and (with `scheduler`) adversarial
 * timing. It records every append, so a test can check what the engine asked of its store.
 */
export function createFaultyStore(
  inner: EventStore,
  options: FaultyStoreOptions = {},
): FaultyStore {
  const appends: AppendRecord[] = [];
  const random = options.random ?? Math.random;
  let inFlight = 0;
  let maxInFlight = 0;
  let broken = false;
  let innerPending = 0;

  const faultOf = (index: number, events: readonly StoredEvent[]): AppendFault => {
    const { faults } = options;
    if (typeof faults === 'function') return faults(index, events);
    if (faults !== undefined) return faults[index] ?? NO_FAULT;
    const draw = random();
    const rejectRate = options.rejectRate ?? 0;
    if (draw < rejectRate) return { kind: 'reject' };
    if (draw < rejectRate + (options.brokenRate ?? 0)) {
      return { kind: 'broken', keep: Math.floor(random() * events.length) };
    }
    return NO_FAULT;
  };

  const tracked = async <T>(work: Promise<T>): Promise<T> => {
    innerPending++;
    try {
      return await work;
    } finally {
      innerPending--;
    }
  };

  async function perform(record: AppendRecord, options: AppendOptions): Promise<void> {
    const { events, fault, index } = record;
    if (broken) {
      record.status = 'refused';
      throw new StoreBrokenError(`append #${index} refused: the store broke at an earlier append`);
    }
    if (fault.kind === 'reject') {
      record.status = 'rejected';
      throw new InjectedFaultError(index);
    }
    if (fault.kind === 'broken') {
      const keep = Math.max(0, Math.min(fault.keep, events.length - 1));
      broken = true;
      if (keep > 0) {
        try {
          await tracked(inner.append(events.slice(0, keep), options));
        } catch {
          // The torn write itself failed: the store is broken all the same.
        }
      }
      record.status = 'broken';
      throw new StoreBrokenError(
        `injected fault: append #${index} wrote ${keep} of ${events.length} events and cannot undo them`,
      );
    }
    try {
      await tracked(inner.append(events, options));
    } catch (error) {
      record.status = 'failed';
      throw error;
    }
    record.status = 'committed';
  }

  return {
    inner,
    // Getters over the closure's live counts (as fs-adapter's and kimi's decoders have).
    get appends() {
      return appends;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get broken() {
      return broken;
    },
    get innerPending() {
      return innerPending;
    },
    load: () => inner.load(),
    close: () => tracked(inner.close()),
    async append(events: readonly StoredEvent[], appendOptions: AppendOptions): Promise<void> {
      const index = appends.length;
      const record: AppendRecord = {
        index,
        events: events.slice(),
        expectedSeq: appendOptions.expectedSeq,
        fault: faultOf(index, events),
        concurrent: inFlight,
        status: 'pending',
      };
      appends.push(record);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      options.onAppendStart?.(record);
      try {
        const { scheduler } = options;
        if (scheduler !== undefined)
          await scheduler.schedule(Promise.resolve(), `append #${index} writes`);
        const latency =
          typeof options.latencyMs === 'function' ? options.latencyMs(index) : options.latencyMs;
        if (latency !== undefined && latency > 0) await sleep(latency);
        let failure: { error: unknown } | undefined;
        try {
          await perform(record, appendOptions);
        } catch (error) {
          record.error = error;
          failure = { error };
        }
        if (scheduler !== undefined) {
          await scheduler.schedule(
            Promise.resolve(),
            `append #${index} returns (${record.status})`,
          );
        }
        options.onAppendSettle?.(record);
        if (failure !== undefined) throw failure.error;
      } finally {
        inFlight--;
      }
    },
  };
}
