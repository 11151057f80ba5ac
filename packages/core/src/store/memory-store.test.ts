import { describe, expect, it } from 'vitest';
import { ConcurrencyError, StoreClosedError, ValidationError } from '../errors/index.js';
import type { StoredEvent } from '../events/schemas.js';
import { createMemoryStore, openMemoryStore } from './memory-store.js';

const at = '2026-01-01T00:00:00.000Z';
const usage = (seq: number, tokenCount = seq): StoredEvent => ({
  seq,
  type: 'usage.recorded',
  v: 1,
  at,
  data: { tokenCount },
});

async function loadAll(store: { load(): AsyncIterable<StoredEvent> }) {
  const events: StoredEvent[] = [];
  for await (const event of store.load()) events.push(event);
  return events;
}

describe('openMemoryStore', () => {
  it('round-trips appends in order', async () => {
    const store = await openMemoryStore();
    await store.append([usage(1), usage(2)], { expectedSeq: 0 });
    await store.append([usage(3)], { expectedSeq: 2 });
    expect(await loadAll(store)).toEqual([usage(1), usage(2), usage(3)]);
  });

  it('refuses a stale or ahead expectedSeq and stores nothing', async () => {
    const store = await openMemoryStore({ events: [usage(1)] });
    await expect(store.append([usage(2)], { expectedSeq: 0 })).rejects.toThrow(ConcurrencyError);
    await expect(store.append([usage(3)], { expectedSeq: 2 })).rejects.toThrow(ConcurrencyError);
    expect(store.events).toEqual([usage(1)]);
  });

  it('refuses an event whose data JSON could not give back as it is, all or nothing', async () => {
    const store = await openMemoryStore();
    const message = { role: 'user', content: 'hi', sentAt: new Date(0) };
    const event = { seq: 2, type: 'messages.appended', v: 1, at, data: { messages: [message] } };
    await expect(
      store.append([usage(1), event as unknown as StoredEvent], { expectedSeq: 0 }),
    ).rejects.toMatchObject({ code: 'VALIDATION', path: 'data.messages[0].sentAt' });
    expect(store.events).toEqual([]);
  });

  it('refuses a batch with a gap, all or nothing', async () => {
    const store = await openMemoryStore();
    await expect(store.append([usage(1), usage(3)], { expectedSeq: 0 })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      store.append([usage(1), { ...usage(2), type: 'nope' } as unknown as StoredEvent], {
        expectedSeq: 0,
      }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_EVENT' });
    expect(store.events).toEqual([]);
    expect(await store.lastSeq()).toBe(0);
  });

  it('accepts a log that starts with a snapshot at any seq', async () => {
    const snapshot: StoredEvent = {
      seq: 41,
      type: 'state.snapshotted',
      v: 1,
      at,
      data: {
        state: {
          systemPrompt: null,
          messages: [],
          tokenCount: 0,
          pendingTextLength: 0,
          nextCheckpointId: 0,
          checkpoints: [],
          metadata: {},
        },
      },
    };
    const store = await openMemoryStore({ events: [snapshot] });
    await store.append([usage(42)], { expectedSeq: 41 });
    expect(await store.lastSeq()).toBe(42);
  });

  it('keeps copies that the caller cannot change', async () => {
    const store = await openMemoryStore();
    const event = usage(1);
    await store.append([event], { expectedSeq: 0 });
    (event.data as { tokenCount: number }).tokenCount = 99;
    expect(store.events[0]).toEqual(usage(1));
  });

  it('openAnother shares the log: each store sees the appends of the other, and a stale one is refused', async () => {
    const first = await openMemoryStore();
    const second = first.openAnother();
    await first.append([usage(1)], { expectedSeq: 0 });
    expect(await loadAll(second)).toEqual([usage(1)]);
    await expect(second.append([usage(1, 7)], { expectedSeq: 0 })).rejects.toThrow(
      ConcurrencyError,
    );
    await second.append([usage(2)], { expectedSeq: 1 });
    await second.close();
    expect(await loadAll(first)).toEqual([usage(1), usage(2)]);
    expect(await first.lastSeq()).toBe(2);
    await first.append([usage(3)], { expectedSeq: 2 });
    expect(first.openAnother().events).toEqual([usage(1), usage(2), usage(3)]);
  });

  it('rejects a bad starting log, as the other stores do, rather than throwing', async () => {
    const opening = openMemoryStore({ events: [usage(1), usage(3)] });
    expect(opening).toBeInstanceOf(Promise);
    await expect(opening).rejects.toThrow(ValidationError);
  });

  it("copies the starting log: later pushes to the caller's array do not reach it", async () => {
    const events = [usage(1)];
    const store = await openMemoryStore({ events });
    events.push(usage(2));
    expect(store.events).toEqual([usage(1)]);
    expect(await store.lastSeq()).toBe(1);
  });

  it('createMemoryStore (deprecated) still opens the same store synchronously', async () => {
    const store = createMemoryStore([usage(1)]);
    expect(store.events).toEqual([usage(1)]);
    expect(await store.lastSeq()).toBe(1);
    expect(() => createMemoryStore([usage(2)])).toThrow(ValidationError);
  });

  it('refuses load and append after close', async () => {
    const store = await openMemoryStore();
    await store.close();
    await store.close();
    await expect(store.append([usage(1)], { expectedSeq: 0 })).rejects.toThrow(StoreClosedError);
    await expect(loadAll(store)).rejects.toThrow(StoreClosedError);
  });
});
