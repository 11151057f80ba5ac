// What the store checks share: opening a store for one check, judging refusals and logs, and
// small batches to append.
import {
  type ContextlogErrorCode,
  codeOf,
  type EventStore,
  hasCode,
  type StoredEvent,
} from '@contextlog/core';
import type { ContextEvent } from '@contextlog/core/store';
import { stampEvents } from '../arbitraries/event.js';
import { canonicalJson, preview, sameJson } from '../json.js';
import {
  loadAll,
  type MakeStore,
  openStoreUnderTest,
  type StoreUnderTest,
} from '../store-factory.js';

/** A conformance check of an `EventStore`: resolves, or throws saying what the store did wrong. */
export type StoreCheck = (makeStore: MakeStore) => Promise<void>;

export class StoreCheckError extends Error {
  readonly code = 'STORE_CHECK';
}

export function fail(message: string): never {
  throw new StoreCheckError(message);
}

/** Opens a fresh store, runs `body`, then closes and disposes of it whatever happened. */
export async function withStore<T>(
  makeStore: MakeStore,
  body: (made: StoreUnderTest, store: EventStore) => Promise<T>,
): Promise<T> {
  const made = await openStoreUnderTest(makeStore);
  try {
    return await body(made, made.store);
  } finally {
    await made.store.close().catch(() => undefined);
    await made.dispose?.();
  }
}

/** Expects `append` to reject; with `code`, with exactly that error code. Returns the error. */
export async function expectRefused(
  what: string,
  attempt: () => Promise<void>,
  code?: ContextlogErrorCode,
): Promise<unknown> {
  let error: unknown;
  try {
    await attempt();
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) fail(`${what}: append resolved, but the store must refuse it`);
  if (code !== undefined && !hasCode(error, code)) {
    fail(
      `${what}: rejected with code ${preview(codeOf(error))} (${preview(error)}), expected code '${code}'`,
    );
  }
  return error;
}

const seqList = (events: readonly StoredEvent[]) => events.map((e) => e.seq).join(',') || 'none';

/** Loads `store` and fails unless it holds exactly `expected`, saying where they differ. */
export async function expectLog(
  store: EventStore,
  expected: readonly StoredEvent[],
  when: string,
): Promise<void> {
  const loaded = await loadAll(store);
  if (!sameJson(loaded, expected)) {
    fail(
      `${when}: load() returned seqs [${seqList(loaded)}], expected [${seqList(expected)}]` +
        (loaded.length === expected.length
          ? `; first difference in ${firstDifference(loaded, expected)}`
          : ''),
    );
  }
  if (store.loadBatches === undefined) return;
  // A store's batches must be its `load()`, cut into non-empty arrays.
  const batched: StoredEvent[] = [];
  for await (const batch of store.loadBatches()) {
    if (batch.length === 0) fail(`${when}: loadBatches() gave an empty batch`);
    batched.push(...batch);
  }
  if (!sameJson(batched, loaded)) {
    fail(`${when}: loadBatches() returned seqs [${seqList(batched)}], load() [${seqList(loaded)}]`);
  }
}

function firstDifference(a: readonly StoredEvent[], b: readonly StoredEvent[]): string {
  for (const [index, event] of a.entries()) {
    if (canonicalJson(event) !== canonicalJson(b[index])) {
      return `event ${index}: got ${preview(event, 200)}, expected ${preview(b[index], 200)}`;
    }
  }
  return 'nothing';
}

const message = (text: string, n = 0): ContextEvent => ({
  type: 'messages.appended',
  v: 1,
  data: { messages: [{ role: n % 2 === 0 ? 'user' : 'assistant', content: text }] },
});

/** `count` small message events whose seqs continue from `afterSeq`. */
export function someEvents(count: number, afterSeq = 0, text = 'hello'): StoredEvent[] {
  return stampEvents(
    Array.from({ length: count }, (_, n) => message(`${text} ${afterSeq + n + 1}`, n)),
    afterSeq,
  );
}

/** A `state.snapshotted` at `seq`: the snapshot a log may start with, at any seq. */
export function snapshotEvent(seq: number): StoredEvent {
  return {
    type: 'state.snapshotted',
    v: 1,
    seq,
    at: '2026-01-01T00:00:00.000Z',
    data: {
      state: {
        systemPrompt: 'be brief',
        messages: [{ role: 'user', content: 'hi' }],
        tokenCount: 12,
        pendingTextLength: 2,
        nextCheckpointId: 1,
        checkpoints: [{ id: 0, messageCount: 0, tokenCount: 0, pendingTextLength: 0 }],
        metadata: { title: 'snapshot' },
      },
    },
  };
}

/** How a store call settled. */
export type Settled<T = unknown> =
  | { readonly status: 'resolved'; readonly value: T }
  | { readonly status: 'rejected'; readonly error: unknown };

/** Settles `promise` into a `Settled` at once, so a rejection never goes unhandled. */
export function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ status: 'resolved', value }),
    (error: unknown) => ({ status: 'rejected', error }),
  );
}

/** A call's outcome as text: `resolved` or `rejected with CODE (message)`. */
export function describeSettled(outcome: Settled): string {
  return outcome.status === 'resolved'
    ? 'resolved'
    : `rejected with code ${preview(codeOf(outcome.error))} (${preview(outcome.error)})`;
}
