import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../events/schemas.js';
import { appendInBatches } from './append-in-batches.js';
import type { AppendOptions } from './event-store.js';

const AT = '2026-01-01T00:00:00.000Z';
const log = (count: number): StoredEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    type: 'usage.recorded',
    v: 1,
    at: AT,
    data: { tokenCount: i },
  }));

/** A store whose appends stay pending until the test settles them, and what happened in order. */
function heldStore() {
  const steps: string[] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let inFlight = 0;
  let most = 0;
  return {
    steps,
    pending,
    most: () => most,
    append(events: readonly StoredEvent[], { expectedSeq }: AppendOptions) {
      steps.push(`append ${events[0]?.seq}-${events.at(-1)?.seq} after ${expectedSeq}`);
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<void>((resolve, reject) => {
        pending.push({
          resolve: () => {
            inFlight--;
            steps.push(`stored ${events.at(-1)?.seq}`);
            resolve();
          },
          reject: (error) => {
            inFlight--;
            steps.push(`failed ${events.at(-1)?.seq}`);
            reject(error);
          },
        });
      });
    },
  };
}

async function* read(events: readonly StoredEvent[], steps: string[], failAt?: number) {
  for (const event of events) {
    if (event.seq === failAt) throw new Error('the source failed');
    steps.push(`read ${event.seq}`);
    yield event;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Settles each append as it comes, after letting the reader run as far as it can. */
async function settleAll(store: ReturnType<typeof heldStore>, done: () => boolean) {
  while (!done()) {
    await tick();
    store.pending.shift()?.resolve();
  }
}

describe('appendInBatches', () => {
  it('reads nothing more while a batch is appended, by default', async () => {
    const store = heldStore();
    let finished = false;
    const appending = appendInBatches(store, read(log(5), store.steps), 2).finally(() => {
      finished = true;
    });
    await settleAll(store, () => finished);
    expect(await appending).toEqual({ events: 5, lastSeq: 5 });
    expect(store.steps).toEqual([
      'read 1',
      'read 2',
      'append 1-2 after 0',
      'stored 2',
      'read 3',
      'read 4',
      'append 3-4 after 2',
      'stored 4',
      'read 5',
      'append 5-5 after 4',
      'stored 5',
    ]);
  });

  it('with overlap, reads the next batch while one is appended, one append in flight at a time', async () => {
    const store = heldStore();
    let finished = false;
    const appending = appendInBatches(store, read(log(5), store.steps), 2, {
      overlap: true,
    }).finally(() => {
      finished = true;
    });
    await settleAll(store, () => finished);
    expect(await appending).toEqual({ events: 5, lastSeq: 5 });
    expect(store.most()).toBe(1);
    expect(store.steps).toEqual([
      'read 1',
      'read 2',
      'append 1-2 after 0',
      'read 3',
      'read 4',
      'stored 2',
      'append 3-4 after 2',
      'read 5',
      'stored 4',
      'append 5-5 after 4',
      'stored 5',
    ]);
  });

  it('with overlap, rejects with a failed append and appends nothing after it', async () => {
    const store = heldStore();
    const appending = appendInBatches(store, read(log(6), store.steps), 2, { overlap: true });
    const outcome = appending.catch((error: unknown) => error);
    await tick();
    store.pending.shift()?.reject(new Error('refused'));
    expect(await outcome).toMatchObject({ message: 'refused' });
    expect(store.steps.filter((step) => step.startsWith('append'))).toEqual(['append 1-2 after 0']);
  });

  it('with overlap, a source that fails rejects only once the append in flight has settled', async () => {
    const store = heldStore();
    let rejected = false;
    const appending = appendInBatches(store, read(log(6), store.steps, 4), 2, {
      overlap: true,
    }).catch((error: unknown) => {
      rejected = true;
      return error;
    });
    await tick();
    await tick();
    expect(store.steps).toEqual(['read 1', 'read 2', 'append 1-2 after 0', 'read 3']);
    expect(rejected).toBe(false);
    store.pending.shift()?.resolve();
    expect(await appending).toMatchObject({ message: 'the source failed' });
    expect(store.steps.at(-1)).toBe('stored 2');
  });
});
