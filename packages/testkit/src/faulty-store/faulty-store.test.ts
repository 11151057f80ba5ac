import { hasCode, openMemoryStore } from '@contextlog/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stampEvents } from '../arbitraries/event.js';
import { loadAll } from '../store-factory.js';
import { createFaultyStore } from './faulty-store.js';

const events = (count: number, afterSeq = 0) =>
  stampEvents(
    Array.from({ length: count }, (_, n) => ({
      type: 'metadata.set' as const,
      v: 1 as const,
      data: { key: `k${afterSeq + n}`, value: n },
    })),
    afterSeq,
  );

describe('createFaultyStore', () => {
  it('passes appends through when no fault is planned', async () => {
    const inner = await openMemoryStore();
    const store = createFaultyStore(inner);
    await store.append(events(2), { expectedSeq: 0 });
    expect(await loadAll(store)).toEqual(inner.events);
    expect(store.appends.map((a) => a.status)).toEqual(['committed']);
    expect(store.maxInFlight).toBe(1);
  });

  it('rejects a planned append with INJECTED_FAULT, writing nothing, and keeps serving', async () => {
    const inner = await openMemoryStore();
    const store = createFaultyStore(inner, { faults: [{ kind: 'reject' }] });
    const error = await store.append(events(2), { expectedSeq: 0 }).catch((e: unknown) => e);
    expect(hasCode(error, 'INJECTED_FAULT')).toBe(true);
    expect(inner.events).toEqual([]);
    await store.append(events(1), { expectedSeq: 0 });
    expect(await inner.lastSeq()).toBe(1);
    expect(store.appends.map((a) => a.status)).toEqual(['rejected', 'committed']);
  });

  it('writes part of a broken batch, reports StoreBrokenError, then refuses everything', async () => {
    const inner = await openMemoryStore();
    const store = createFaultyStore(inner, {
      faults: [{ kind: 'none' }, { kind: 'broken', keep: 2 }],
    });
    await store.append(events(1), { expectedSeq: 0 });
    const error = await store.append(events(3, 1), { expectedSeq: 1 }).catch((e: unknown) => e);
    expect(hasCode(error, 'STORE_BROKEN')).toBe(true);
    expect(inner.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(store.broken).toBe(true);
    const later = await store.append(events(1, 3), { expectedSeq: 3 }).catch((e: unknown) => e);
    expect(hasCode(later, 'STORE_BROKEN')).toBe(true);
    expect(await inner.lastSeq()).toBe(3);
    expect(store.appends.map((a) => a.status)).toEqual(['committed', 'broken', 'refused']);
  });

  it('never writes the whole batch of a broken append', async () => {
    const inner = await openMemoryStore();
    const store = createFaultyStore(inner, { faults: [{ kind: 'broken', keep: 99 }] });
    await expect(store.append(events(2), { expectedSeq: 0 })).rejects.toThrow(/wrote 1 of 2/);
    expect(await inner.lastSeq()).toBe(1);
  });

  it('draws faults from rates with the given randomness', async () => {
    const draws = [0.05, 0.12, 0.5, 0.9];
    const store = createFaultyStore(await openMemoryStore(), {
      rejectRate: 0.1,
      brokenRate: 0.05,
      random: () => draws.shift() ?? 0.99,
    });
    await expect(store.append(events(1), { expectedSeq: 0 })).rejects.toThrow(/injected fault/);
    await expect(store.append(events(2), { expectedSeq: 0 })).rejects.toThrow(/wrote 1 of 2/);
    await expect(store.append(events(1), { expectedSeq: 0 })).rejects.toThrow(/refused/);
    expect(store.appends.map((a) => a.fault.kind)).toEqual(['reject', 'broken', 'none']);
  });

  it('records appends that overlap', async () => {
    const store = createFaultyStore(await openMemoryStore(), { latencyMs: 5 });
    const first = store.append(events(1), { expectedSeq: 0 });
    const second = store.append(events(1, 1), { expectedSeq: 0 });
    await Promise.allSettled([first, second]);
    expect(store.maxInFlight).toBe(2);
    expect(store.appends.map((a) => a.concurrent)).toEqual([0, 1]);
    expect(store.inFlight).toBe(0);
  });

  it('waits its latency before writing', async () => {
    const inner = await openMemoryStore();
    const store = createFaultyStore(inner, { latencyMs: 30 });
    const started = performance.now();
    const append = store.append(events(1), { expectedSeq: 0 });
    expect(await inner.lastSeq()).toBe(0);
    await append;
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(await inner.lastSeq()).toBe(1);
  });

  it('lets a scheduler decide when an append writes and when it returns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const inner = await openMemoryStore();
        const store = createFaultyStore(inner, { scheduler: s });
        let returned = false;
        const append = store.append(events(1), { expectedSeq: 0 }).then(() => {
          returned = true;
        });
        await Promise.resolve();
        expect(await inner.lastSeq()).toBe(0);
        await s.waitNext(1);
        expect(await inner.lastSeq()).toBe(1);
        expect(returned).toBe(false);
        await s.waitFor(append);
        expect(returned).toBe(true);
      }),
      { numRuns: 5 },
    );
  });
});
