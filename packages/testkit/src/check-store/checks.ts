import type { EventStore, StoredEvent } from '@contextlog/core';
import fc from 'fast-check';
import { arbStoredEvents, stampEvents } from '../arbitraries/event.js';
import { ALL_ODD_CHARACTERS, ODD_STRINGS } from '../arbitraries/strings.js';
import { fuzzRuns } from '../check-engine/check-engine.js';
import type { FuzzedDialect } from '../dialects/fuzzed-dialect.js';
import { preview } from '../json.js';
import { type MakeStore, openStoreUnderTest } from '../store-factory.js';
import { checkCallerObjects } from './caller-objects.js';
import { checkDialectSession, dialectSessionCheck } from './dialect-session.js';
import { checkStalledAppend } from './stalled-append.js';
import {
  expectLog,
  expectRefused,
  fail,
  type StoreCheck,
  StoreCheckError,
  snapshotEvent,
  someEvents,
  withStore,
} from './support.js';
import { checkTwoWriters } from './two-writers.js';

export type { StoreCheck } from './support.js';

export const checkEmptyLoad: StoreCheck = (makeStore) =>
  withStore(makeStore, (_, store) => expectLog(store, [], 'a fresh store'));

/** Random batches of every event type come back from load() exactly as appended, in order. */
export const checkRoundTrip: StoreCheck = async (makeStore) => {
  const batches = fc
    .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
    .chain((sizes) => {
      let afterSeq = 0;
      return fc.tuple(
        ...sizes.map((size) => {
          const batch = arbStoredEvents({ afterSeq, minLength: size, maxLength: size });
          afterSeq += size;
          return batch;
        }),
      );
    });
  await fc.assert(
    fc.asyncProperty(batches, (list) =>
      withStore(makeStore, async (_, store) => {
        const all: StoredEvent[] = [];
        for (const batch of list) {
          await store.append(batch, { expectedSeq: all.at(-1)?.seq ?? 0 });
          all.push(...batch);
        }
        await expectLog(store, all, 'after appending batches');
        await expectLog(store, all, 'a second load()');
      }),
    ),
    { numRuns: fuzzRuns(15) },
  );
};

/** Several batches load in seq order, the order they were appended. */
export const checkOrder: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const all: StoredEvent[] = [];
    for (const size of [1, 3, 1, 5, 2]) {
      const batch = someEvents(size, all.length);
      await store.append(batch, { expectedSeq: all.length });
      all.push(...batch);
    }
    await expectLog(store, all, 'after five batches');
  });

/** A gap, a duplicate, or a first seq other than 1 is refused, and nothing is stored. */
export const checkSeqContinuity: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    await expectRefused('a first event with seq 2 on an empty store', () =>
      store.append(someEvents(1, 1), { expectedSeq: 0 }),
    );
    await expectLog(store, [], 'after refusing a first event with seq 2');
    const first = someEvents(2);
    await store.append(first, { expectedSeq: 0 });
    await expectRefused('a gap (seq 4 after seq 2)', () =>
      store.append(someEvents(1, 3), { expectedSeq: 2 }),
    );
    await expectRefused('a duplicate (seq 2 again after seq 2)', () =>
      store.append(someEvents(1, 1), { expectedSeq: 2 }),
    );
    await expectRefused('a batch repeating a seq (3, 3)', () =>
      store.append([...someEvents(1, 2), ...someEvents(1, 2, 'again')], { expectedSeq: 2 }),
    );
    await expectLog(store, first, 'after refusing a gap and duplicates');
    const next = someEvents(1, 2);
    await store.append(next, { expectedSeq: 2 });
    await expectLog(store, [...first, ...next], 'after a good append following refusals');
  });

/** A batch that goes wrong partway (a gap, then an invalid event) stores none of its events. */
export const checkAllOrNothing: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const first = someEvents(2);
    await store.append(first, { expectedSeq: 0 });
    const withGap = [...someEvents(3, 2), ...someEvents(1, 6)];
    await expectRefused('a batch of seqs 3,4,5,7', () => store.append(withGap, { expectedSeq: 2 }));
    await expectLog(store, first, 'after refusing a batch with a gap at its end');
    const invalid = {
      type: 'messages.appended',
      v: 1,
      seq: 4,
      at: '2026-01-01T00:00:00.000Z',
      data: { messages: [] },
    } as unknown as StoredEvent;
    await expectRefused(
      'a batch whose second event is invalid (messages.appended with no messages)',
      () => store.append([...someEvents(1, 2), invalid, ...someEvents(1, 4)], { expectedSeq: 2 }),
    );
    // Ends as checkSeqContinuity does, each with its own messages: log unchanged, then it goes on.
    await expectLog(store, first, 'after refusing a batch with an invalid event');
    const next = someEvents(3, 2);
    await store.append(next, { expectedSeq: 2 });
    await expectLog(store, [...first, ...next], 'after a good batch following refused ones');
  });

/**
 * Data JSON could not give back as it is (a `Date` in a message field the schema does not know,
 * a `NaN`, a `Map`) is refused with code VALIDATION and nothing of its batch is stored: a store
 * that kept it would hand back something else than it was given (`parseStoredEvent` refuses it).
 */
export const checkNonJsonData: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const first = someEvents(2);
    await store.append(first, { expectedSeq: 0 });
    const dated = {
      seq: 4,
      type: 'messages.appended',
      v: 1,
      at: '2026-01-01T00:00:00.000Z',
      data: { messages: [{ role: 'user', content: 'hi', sentAt: new Date(0) }] },
    } as unknown as StoredEvent;
    await expectRefused(
      'a batch whose second event holds a Date in a message field',
      () => store.append([...someEvents(1, 2), dated], { expectedSeq: 2 }),
      'VALIDATION',
    );
    const notANumber = {
      seq: 3,
      type: 'metadata.set',
      v: 1,
      at: '2026-01-01T00:00:00.000Z',
      data: { key: 'score', value: { best: Number.NaN } },
    } as unknown as StoredEvent;
    await expectRefused(
      'metadata holding NaN',
      () => store.append([notANumber], { expectedSeq: 2 }),
      'VALIDATION',
    );
    await expectLog(store, first, 'after refusing data JSON could not give back');
  });

/** An `expectedSeq` behind the log is a `ConcurrencyError` (code CONCURRENCY) and stores nothing. */
export const checkStaleExpectedSeq: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const first = someEvents(3);
    await store.append(first, { expectedSeq: 0 });
    // Seqs that continue the log: only expectedSeq is wrong, as when another writer moved it.
    await expectRefused(
      'expectedSeq 1 on a log at seq 3 (events continuing at seq 4)',
      () => store.append(someEvents(1, 3), { expectedSeq: 1 }),
      'CONCURRENCY',
    );
    // Seqs that continue the writer's stale view: what a real stale writer sends.
    await expectRefused(
      'expectedSeq 1 on a log at seq 3 (events at seq 2)',
      () => store.append(someEvents(1, 1), { expectedSeq: 1 }),
      'CONCURRENCY',
    );
    await expectRefused(
      'expectedSeq 0 on a log at seq 3',
      () => store.append(someEvents(1), { expectedSeq: 0 }),
      'CONCURRENCY',
    );
    await expectLog(store, first, 'after refusing stale writers');
  });

/** An `expectedSeq` ahead of the log is a `ConcurrencyError` too, and stores nothing. */
export const checkAheadExpectedSeq: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    await expectRefused(
      'expectedSeq 1 on an empty store',
      () => store.append(someEvents(1, 1), { expectedSeq: 1 }),
      'CONCURRENCY',
    );
    const first = someEvents(2);
    await store.append(first, { expectedSeq: 0 });
    await expectRefused(
      'expectedSeq 5 on a log at seq 2',
      () => store.append(someEvents(1, 5), { expectedSeq: 5 }),
      'CONCURRENCY',
    );
    await expectLog(store, first, 'after refusing writers ahead of the log');
  });

/** After `close()` appends reject (code STORE_CLOSED); `close()` again resolves. */
export const checkClose: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    await store.append(someEvents(1), { expectedSeq: 0 });
    await store.close();
    await expectRefused(
      'append after close()',
      () => store.append(someEvents(1, 1), { expectedSeq: 1 }),
      'STORE_CLOSED',
    );
    try {
      await store.close();
    } catch (error) {
      fail(`a second close() must resolve (close is idempotent), it rejected: ${preview(error)}`);
    }
  });

/** One batch of 2,000 events, with longer texts, is stored and loaded whole. */
export const checkLargeBatch: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const text = `${'lorem ipsum 漢字 😀 '.repeat(20)}`;
    const batch = someEvents(2000, 0, text);
    await store.append(batch, { expectedSeq: 0 });
    const next = someEvents(1, 2000);
    await store.append(next, { expectedSeq: 2000 });
    await expectLog(store, [...batch, ...next], 'after a batch of 2,000 events');
  });

/** Text with every odd character (lone surrogates, NUL, U+2028, emoji, CJK …) round-trips exactly. */
export const checkOddCharacters: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const events = stampEvents([
      {
        type: 'messages.appended',
        v: 1,
        data: {
          messages: [
            { role: 'user', content: ALL_ODD_CHARACTERS },
            {
              role: 'assistant',
              content: ODD_STRINGS.map((text) => ({ type: 'text', text })),
              tool_calls: [
                {
                  type: 'function',
                  id: ALL_ODD_CHARACTERS,
                  function: { name: 'f\u0000', arguments: null },
                  extras: { [ALL_ODD_CHARACTERS]: ALL_ODD_CHARACTERS },
                },
              ],
            },
          ],
        },
      },
      {
        type: 'metadata.set',
        v: 1,
        data: { key: ALL_ODD_CHARACTERS, value: { [ALL_ODD_CHARACTERS]: [ALL_ODD_CHARACTERS] } },
      },
      { type: 'system_prompt.set', v: 1, data: { prompt: ALL_ODD_CHARACTERS } },
    ]);
    await store.append(events, { expectedSeq: 0 });
    await expectLog(store, events, 'after appending text with every odd character');
  });

/** A log may start with a snapshot (`state.snapshotted`) at any seq, and goes on from it. */
export const checkSnapshotStart: StoreCheck = (makeStore) =>
  withStore(makeStore, async (_, store) => {
    const snapshot = snapshotEvent(41);
    await store.append([snapshot], { expectedSeq: 0 });
    const next = someEvents(2, 41);
    await store.append(next, { expectedSeq: 41 });
    await expectLog(store, [snapshot, ...next], 'a log that starts with a snapshot at seq 41');
  });

/** A reopened store sees every committed event and continues from the last seq. */
export const checkReopen: StoreCheck = async (makeStore) => {
  const made = await openStoreUnderTest(makeStore);
  let reopened: EventStore | undefined;
  try {
    if (made.reopen === undefined) fail('makeStore returned no reopen(): nothing to check');
    const first = someEvents(2);
    const second = someEvents(3, 2, ALL_ODD_CHARACTERS);
    await made.store.append(first, { expectedSeq: 0 });
    await made.store.append(second, { expectedSeq: 2 });
    await expectRefused(
      'a stale append before closing',
      () => made.store.append(someEvents(1, 1), { expectedSeq: 1 }),
      'CONCURRENCY',
    );
    await made.store.close();
    reopened = await made.reopen();
    await expectLog(reopened, [...first, ...second], 'the reopened store');
    await expectRefused(
      'expectedSeq 2 on the reopened store at seq 5',
      () => (reopened as EventStore).append(someEvents(1, 2), { expectedSeq: 2 }),
      'CONCURRENCY',
    );
    const third = someEvents(1, 5);
    await reopened.append(third, { expectedSeq: 5 });
    await expectLog(
      reopened,
      [...first, ...second, ...third],
      'the reopened store after an append',
    );
    await reopened.close();
    const again = await made.reopen();
    try {
      await expectLog(again, [...first, ...second, ...third], 'the store reopened a second time');
    } finally {
      await again.close();
    }
  } finally {
    await made.store.close().catch(() => undefined);
    await reopened?.close().catch(() => undefined);
    await made.dispose?.();
  }
};

/** Every check, by the name `checkStore` gives its test. */
export const STORE_CHECKS: Readonly<Record<string, StoreCheck>> = Object.freeze({
  'loads nothing from a fresh store': checkEmptyLoad,
  'round-trips appended events exactly (every event type, random batches)': checkRoundTrip,
  'loads batches in the order they were appended': checkOrder,
  'refuses a gap or a duplicate seq and stores nothing': checkSeqContinuity,
  'stores a batch all or nothing': checkAllOrNothing,
  'refuses data JSON could not give back as it is (code VALIDATION), storing nothing':
    checkNonJsonData,
  'refuses a stale expectedSeq with code CONCURRENCY, storing nothing': checkStaleExpectedSeq,
  'refuses an expectedSeq ahead of the log with code CONCURRENCY, storing nothing':
    checkAheadExpectedSeq,
  'rejects append after close (code STORE_CLOSED); close is idempotent': checkClose,
  'stores and loads a batch of 2,000 events': checkLargeBatch,
  'round-trips text with every odd character': checkOddCharacters,
  'starts a log with a snapshot (state.snapshotted) at any seq': checkSnapshotStart,
  "keeps the caller's objects out of the log (changed after append or load)": checkCallerObjects,
  'keeps a session of another dialect exactly, and an engine of that dialect reads it back':
    checkDialectSession,
});

/** What `runStoreChecks` runs besides `STORE_CHECKS`: each needs a member of `StoreUnderTest`. */
export interface OptionalStoreChecks {
  /** `checkReopen`: `makeStore` returns `reopen`. */
  readonly reopen?: boolean;
  /** `checkTwoWriters`: `makeStore` returns `openAnother`. */
  readonly twoWriters?: boolean;
  /** `checkStalledAppend`: `makeStore` returns `stall`. */
  readonly stall?: boolean;
  /**
   * Dialects whose sessions the store must keep too (`dialectSessionCheck` for each), beside
   * the testkit's notes dialect that every store is checked with.
   */
  readonly dialects?: readonly FuzzedDialect<unknown>[];
}

/** The check of each dialect, by title. */
export function dialectChecks(
  dialects: readonly FuzzedDialect<unknown>[],
): Record<string, StoreCheck> {
  return Object.fromEntries(
    dialects.map((fuzzed) => [
      `keeps a session of the ${fuzzed.dialect.name} dialect exactly, and an engine of it reads it back`,
      dialectSessionCheck(fuzzed),
    ]),
  );
}

/** Runs every check, and the optional ones asked for; throws the first failure. */
export async function runStoreChecks(
  makeStore: MakeStore,
  options: OptionalStoreChecks = {},
): Promise<void> {
  const checks = {
    ...STORE_CHECKS,
    ...(options.reopen === true ? { reopen: checkReopen } : {}),
    ...(options.twoWriters === true ? { 'two writers': checkTwoWriters } : {}),
    ...(options.stall === true ? { 'a stalled append': checkStalledAppend } : {}),
    ...dialectChecks(options.dialects ?? []),
  };
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check(makeStore);
    } catch (error) {
      throw new StoreCheckError(`${name}: ${(error as Error).message}`, { cause: error });
    }
  }
}
