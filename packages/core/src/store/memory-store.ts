import { createEventParser } from '../dialect/event-parser.js';
import { DEFAULT_KIND, kindAfter, type SessionKind } from '../dialect/session-kind.js';
import { ConcurrencyError, StoreClosedError } from '../errors/index.js';
import { freezeCheckedData } from '../events/json.js';
import type { StoredEvent } from '../events/schemas.js';
import { isValidatedBatch } from '../events/validated.js';
import { checkBatchContinuity } from './continuity.js';
import type { AppendOptions, EventStore } from './event-store.js';

export interface MemoryStoreOptions {
  /** The log to start from (validated, and copied: later changes to it do not reach the store). */
  readonly events?: readonly StoredEvent[];
}

export interface MemoryEventStore extends EventStore {
  /** The stored events, for inspection in tests. */
  readonly events: readonly StoredEvent[];
  /** Seq of the last stored event (0 for an empty log). */
  lastSeq(): Promise<number>;
  /**
   * A second store on the same log, as a second process opening the same session: appends
   * through either are checked against the one log, and each store is closed on its own.
   */
  openAnother(): MemoryEventStore;
}

/** The log that every store opened with `openAnother` shares. */
interface MemoryLog {
  readonly events: StoredEvent[];
  lastSeq: number;
  /** What the log declared: the dialect other batches' messages are checked with. */
  kind: SessionKind;
}

/**
 * A real store that keeps its log in memory: for tests, and for agents that want no disk. It
 * validates and freezes what it stores, so later changes to the caller's objects cannot reach it.
 * Async like the file and PostgreSQL stores: a bad `events` option rejects.
 */
export async function openMemoryStore(options: MemoryStoreOptions = {}): Promise<MemoryEventStore> {
  return memoryStore(options.events ?? []);
}

/** @deprecated use `await openMemoryStore({ events })`: the same store, opened like the others. */
export function createMemoryStore(initial: readonly StoredEvent[] = []): MemoryEventStore {
  return memoryStore(initial);
}

function memoryStore(initial: readonly StoredEvent[]): MemoryEventStore {
  const log: MemoryLog = { events: [], lastSeq: 0, kind: DEFAULT_KIND };
  accept(log, initial);
  return storeOnLog(log);
}

// All-or-nothing: every event is validated before the log changes. The check of `expectedSeq`
// and the push run in one synchronous step, so two stores on one log cannot both commit.
function accept(log: MemoryLog, events: readonly StoredEvent[]): void {
  // The engine's own batches are valid and deep-frozen already (see events/validated.ts). Others
  // are checked with the dialect the log declared, if this store knows it (kimi-cli's), else as
  // JSON objects: the engine of that dialect checks them on load.
  let parsed = events;
  if (!isValidatedBatch(events)) {
    const parser = createEventParser({ kind: log.kind });
    parsed = events.map((event) => freezeCheckedData(parser.parse(event)));
  }
  const lastSeq = checkBatchContinuity(parsed, log.lastSeq);
  log.kind = kindAfter(log.kind, parsed);
  log.lastSeq = lastSeq;
  for (const event of parsed) log.events.push(event);
}

function storeOnLog(log: MemoryLog): MemoryEventStore {
  let closed = false;
  return {
    get events() {
      return log.events.slice();
    },
    lastSeq: async () => log.lastSeq,
    async *load() {
      if (closed) throw new StoreClosedError();
      const end = log.events.length;
      for (let i = 0; i < end; i++) yield log.events[i] as StoredEvent;
    },
    async *loadBatches() {
      if (closed) throw new StoreClosedError();
      if (log.events.length > 0) yield log.events.slice();
    },
    async append(events: readonly StoredEvent[], { expectedSeq }: AppendOptions) {
      if (closed) throw new StoreClosedError();
      if (expectedSeq !== log.lastSeq) throw new ConcurrencyError(expectedSeq, log.lastSeq);
      accept(log, events);
    },
    async close() {
      closed = true;
    },
    openAnother: () => storeOnLog(log),
  };
}
