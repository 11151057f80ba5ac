import {
  ConcurrencyError,
  type EventStore,
  openMemoryStore,
  StoreClosedError,
  type StoredEvent,
} from '@contextlog/core';
import {
  checkBatchContinuity,
  createEventParser,
  DEFAULT_KIND,
  kindAfter,
  StoredEventSchema,
} from '@contextlog/core/store';
import { describe, expect, it } from 'vitest';
import {
  checkAllOrNothing,
  checkCallerObjects,
  checkNonJsonData,
  checkOrder,
  checkRoundTrip,
  checkStaleExpectedSeq,
  type MakeStore,
  runStoreChecks,
  type StoreUnderTest,
} from './index.js';
import { checkStore } from './vitest.js';

checkStore('memory store', () => openMemoryStore());

/** A memory store whose log outlives the store object, as a file does: it reopens, and two race. */
async function sharedMemoryStore(): Promise<StoreUnderTest> {
  const store = await openMemoryStore();
  const another = async () => store.openAnother();
  return { store, reopen: another, openAnother: another, dispose: async () => undefined };
}

checkStore('memory store with openAnother', sharedMemoryStore);

type Flaw =
  | 'none'
  | 'reorder-batch'
  | 'drop-last'
  | 'accept-stale'
  | 'schema-only'
  /** Keeps the objects `append` was given, so the caller can still change them. */
  | 'keeps-caller-objects'
  /** Copies what it keeps but hands those copies out from `load`, unfrozen. */
  | 'hands-out-its-objects';

/** A hand-written store with one flaw, for showing that the checks catch it. */
function flawedStore(flaw: Flaw): EventStore {
  const log: StoredEvent[] = [];
  let lastSeq = 0;
  let closed = false;
  // As a real store: the messages are checked with the dialect the log declared.
  let kind = DEFAULT_KIND;
  return {
    async *load() {
      for (const event of log.slice()) {
        yield flaw === 'hands-out-its-objects' ? event : structuredClone(event);
      }
    },
    async append(events, { expectedSeq }) {
      if (closed) throw new StoreClosedError();
      if (flaw !== 'accept-stale' && expectedSeq !== lastSeq) {
        throw new ConcurrencyError(expectedSeq, lastSeq);
      }
      // 'schema-only' validates with the zod schema alone, which lets unknown fields through.
      const parser = createEventParser({ kind });
      const parsed = events.map((event) =>
        flaw === 'schema-only' && kind === DEFAULT_KIND
          ? StoredEventSchema.parse(event)
          : parser.parse(event),
      );
      lastSeq = checkBatchContinuity(parsed, lastSeq);
      kind = kindAfter(kind, parsed);
      if (flaw === 'reorder-batch') parsed.reverse();
      if (flaw === 'drop-last' && parsed.length > 1) parsed.pop();
      log.push(...(flaw === 'keeps-caller-objects' ? events : structuredClone(parsed)));
    },
    async close() {
      closed = true;
    },
  };
}

const make =
  (flaw: Flaw): MakeStore =>
  async () =>
    flawedStore(flaw);

describe('checkStore catches flawed stores', () => {
  it('a store that reorders a batch fails the order and round-trip checks', async () => {
    await expect(checkOrder(make('reorder-batch'))).rejects.toThrow(
      /load\(\) returned seqs \[1,4,3,2,5/,
    );
    await expect(checkRoundTrip(make('reorder-batch'))).rejects.toThrow(/Counterexample/);
    await expect(runStoreChecks(make('reorder-batch'))).rejects.toThrow();
  });

  it('a store that drops the last event of a batch fails', async () => {
    await expect(checkOrder(make('drop-last'))).rejects.toThrow(
      /load\(\) returned seqs \[1,2,3,5,6,7,8,9,11\]/,
    );
    await expect(checkAllOrNothing(make('drop-last'))).rejects.toThrow();
    await expect(runStoreChecks(make('drop-last'))).rejects.toThrow();
  });

  it('a store that accepts a stale expectedSeq fails the stale check', async () => {
    await expect(checkStaleExpectedSeq(make('accept-stale'))).rejects.toThrow(
      /expectedSeq 1 on a log at seq 3.*resolved, but the store must refuse it/,
    );
    await expect(runStoreChecks(make('accept-stale'))).rejects.toThrow(/stale expectedSeq/);
  });

  it('a store that validates with the schema alone keeps a Date it cannot give back', async () => {
    await expect(checkNonJsonData(make('schema-only'))).rejects.toThrow(
      /holds a Date in a message field: append resolved, but the store must refuse it/,
    );
    await expect(runStoreChecks(make('schema-only'))).rejects.toThrow(/JSON could not give back/);
  });

  it("a store that keeps the caller's objects, or hands out its own, fails the objects check", async () => {
    await expect(checkCallerObjects(make('keeps-caller-objects'))).rejects.toThrow(
      /after the caller changed the events it had appended .*first difference in event 0: .*scribbled/,
    );
    await expect(checkCallerObjects(make('hands-out-its-objects'))).rejects.toThrow(
      /after the caller changed the events a load\(\) gave it, as they came.*scribbled/,
    );
    await expect(runStoreChecks(make('keeps-caller-objects'))).rejects.toThrow(/caller's objects/);
  });

  it('without its flaw the hand-written store passes every check (so each catch is the flaw)', async () => {
    await runStoreChecks(make('none'));
  });
});
