import { hasCode, type StoredEvent } from '@contextlog/core';
import { sameJson } from '../json.js';
import { loadAll, openStoreUnderTest } from '../store-factory.js';
import {
  describeSettled,
  fail,
  type Settled,
  type StoreCheck,
  settled,
  someEvents,
} from './support.js';

/** What the check allows past `settleWithinMs`: timers fire late, and the store's starts later. */
function stallBound(settleWithinMs: number): number {
  return Math.ceil(settleWithinMs * 1.1 + 100);
}

/** How `promise` settled, or 'pending' if it had not after `ms`. */
async function within<T>(ms: number, promise: Promise<T>): Promise<Settled<T> | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  try {
    return await Promise.race([settled(promise), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const isBroken = (outcome: Settled) =>
  outcome.status === 'rejected' && hasCode(outcome.error, 'STORE_BROKEN');

/**
 * An append whose backing write never replies (`stall.stallNextWrite()`) settles within
 * `stall.settleWithinMs`: it resolves having stored its batch, rejects having stored none of it,
 * or, when the store cannot tell, rejects with code STORE_BROKEN and refuses every later append.
 * Later appends, `load()` and `close()` settle within the same bound, and so does every other
 * step of the check: it never waits longer than a few bounds in all, whatever the store does.
 */
export const checkStalledAppend: StoreCheck = async (makeStore) => {
  const made = await openStoreUnderTest(makeStore);
  const { stall, store } = made;
  const bound = stallBound(stall?.settleWithinMs ?? 0);
  /** How `promise` settled; fails if it was still pending after `bound`. */
  const settles = async <T>(what: string, promise: Promise<T>): Promise<Settled<T>> => {
    const outcome = await within(bound, promise);
    if (outcome !== 'pending') return outcome;
    return fail(
      `${what} was still pending after ${bound} ms (settleWithinMs ${stall?.settleWithinMs} and a grace for timers)`,
    );
  };
  try {
    if (stall === undefined) fail('makeStore returned no stall hook: nothing to stall');
    const first = someEvents(2);
    const before = await settles(
      'an append before the stall',
      store.append(first, { expectedSeq: 0 }),
    );
    if (before.status === 'rejected') throw before.error;
    const hook = await settles('stall.stallNextWrite()', Promise.resolve(stall.stallNextWrite()));
    if (hook.status === 'rejected') throw hook.error;
    const stalled = someEvents(1, 2, 'stalled');
    const outcome = await settles(
      "an append whose write never got a reply (the store must settle it, with code 'STORE_BROKEN' when it cannot tell whether the batch was stored, or every later command waits for ever)",
      store.append(stalled, { expectedSeq: 2 }),
    );
    const what = `the stalled append ${describeSettled(outcome)}`;
    const afterSeq = outcome.status === 'resolved' ? 3 : 2;
    const next = someEvents(1, afterSeq, 'after the stall');
    const later = await settles(
      `${what}; the next append`,
      store.append(next, { expectedSeq: afterSeq }),
    );
    if (isBroken(outcome) && later.status === 'resolved') {
      fail(`${what}, yet the next append resolved: a broken store must refuse every later append`);
    }
    const loading = await settles(`${what}; load()`, loadAll(store));
    judgeLog(loading, `${what}, the next one ${describeSettled(later)}`, {
      first,
      stalled,
      stalledStored: isBroken(outcome) ? 'maybe' : outcome.status === 'resolved',
      next: later.status === 'resolved' ? next : [],
    });
    const closing = await settles(`${what}; close()`, store.close());
    if (closing.status === 'rejected') fail(`${what}; close() ${describeSettled(closing)}`);
  } finally {
    // A store that hangs must not hang the test run too: every cleanup step is bounded.
    await within(bound, store.close());
    await within(bound, made.dispose?.() ?? Promise.resolve());
  }
};

interface Expected {
  readonly first: readonly StoredEvent[];
  readonly stalled: readonly StoredEvent[];
  /** Whether the stalled batch must be in the log ('maybe' after STORE_BROKEN). */
  readonly stalledStored: boolean | 'maybe';
  readonly next: readonly StoredEvent[];
}

function judgeLog(loading: Settled<StoredEvent[]>, what: string, expected: Expected): void {
  if (loading.status === 'rejected') {
    if (expected.stalledStored === 'maybe') return; // a broken store may refuse to read as well
    fail(`${what}; load() ${describeSettled(loading)}`);
  }
  const { first, stalled, stalledStored, next } = expected;
  const candidates = [
    ...(stalledStored !== true ? [[...first, ...next]] : []),
    ...(stalledStored !== false ? [[...first, ...stalled, ...next]] : []),
  ];
  const loaded = loading.value;
  if (candidates.some((candidate) => sameJson(loaded, candidate))) return;
  const seqs = (events: readonly StoredEvent[]) => `[${events.map((e) => e.seq).join(',')}]`;
  fail(
    `${what}; load() returned seqs ${seqs(loaded)}, expected ${candidates.map(seqs).join(' or ')}` +
      (stalledStored === false
        ? ': an append that rejects must have stored nothing; when the store cannot tell, it must reject with code STORE_BROKEN'
        : ''),
  );
}
