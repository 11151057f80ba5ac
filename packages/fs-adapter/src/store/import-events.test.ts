import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CopyTargetNotEmptyError,
  copyEvents,
  createContext,
  openMemoryStore,
  type StoredEvent,
  stateToJson,
} from '@contextlog/core';
import { snapshotStateOf } from '@contextlog/core/store';
import { describe, expect } from 'vitest';
import { readSessionEvents } from '../read/read-session-events.js';
import { faultyFileSystem } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

async function collect(events: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** A log that starts with a snapshot: at seq 12, then 9 more appends. */
async function snapshotLog(): Promise<StoredEvent[]> {
  const engine = await createContext(await openMemoryStore());
  for (let i = 0; i < 11; i++) await engine.appendMessages({ role: 'user', content: `m${i}` });
  await engine.checkpoint();
  const snapshot: StoredEvent = {
    seq: engine.state.seq,
    type: 'state.snapshotted',
    v: 1,
    at: '2026-01-01T00:00:00.000Z',
    data: { state: snapshotStateOf(engine.state) },
  };
  const rest = await openMemoryStore({ events: [snapshot] });
  const after = await createContext(rest);
  for (let i = 0; i < 9; i++) await after.appendMessages({ role: 'user', content: `n${i}` });
  return rest.events.slice();
}

async function* failingAfter(events: readonly StoredEvent[], count: number) {
  for (const [index, event] of events.entries()) {
    if (index === count) throw new Error('the source failed');
    yield event;
  }
}

describe('the file store imports a log', () => {
  it('keeps every event and seq of a log that starts with a snapshot, and goes on from there', async ({
    dir,
  }) => {
    const events = await snapshotLog();
    const path = join(dir, 'copy.jsonl');
    const store = await openFileStore(path);
    const result = await copyEvents(await openMemoryStore({ events }), store, { batchSize: 4 });
    expect(result).toMatchObject({ events: 10, lastSeq: 21 });
    expect(await store.lastSeq()).toBe(21);
    await store.close();
    expect(await collect(readSessionEvents(path))).toEqual(events);
    const engine = await openFileSession(path);
    expect(stateToJson(engine.state)).toEqual(stateToJson(result.state));
    await engine.appendMessages({ role: 'user', content: 'more' });
    expect(engine.state.seq).toBe(22);
    await engine.close();
  });

  it('refuses a session with events, leaving it as it was', async ({ dir }) => {
    const path = join(dir, 'taken.jsonl');
    const engine = await openFileSession(path);
    await engine.appendMessages({ role: 'user', content: 'mine' });
    await engine.close();
    const before = await readFile(path, 'utf8');
    const store = await openFileStore(path);
    await expect(
      store.importEvents((await openMemoryStore({ events: await snapshotLog() })).load(), {
        batchSize: 3,
      }),
    ).rejects.toBeInstanceOf(CopyTargetNotEmptyError);
    await store.close();
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('a source that fails half way leaves the header only, and the store usable', async ({
    dir,
  }) => {
    const events = await snapshotLog();
    const path = join(dir, 'half.jsonl');
    const store = await openFileStore(path);
    const header = await readFile(path, 'utf8');
    await expect(store.importEvents(failingAfter(events, 7), { batchSize: 3 })).rejects.toThrow(
      'the source failed',
    );
    expect(await store.lastSeq()).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(header);
    // The same store takes the whole log afterwards.
    await store.importEvents((await openMemoryStore({ events })).load(), { batchSize: 100 });
    await store.close();
    expect(await collect(readSessionEvents(path))).toEqual(events);
  });

  it('a write that fails part way through the import undoes the batches before it', async ({
    dir,
  }) => {
    const events = await snapshotLog();
    const path = join(dir, 'disk.jsonl');
    // The header is write 1; the third batch's write fails.
    const fs = faultyFileSystem((call, n) => (call === 'write' && n === 4 ? 'ENOSPC' : undefined));
    const store = await openFileStore(path, { fs });
    const header = await readFile(path, 'utf8');
    await expect(
      store.importEvents((await openMemoryStore({ events })).load(), { batchSize: 3 }),
    ).rejects.toMatchObject({ code: 'APPEND_FAILED' });
    expect(await store.lastSeq()).toBe(0);
    expect(await readFile(path, 'utf8')).toBe(header);
    await store.close();
  });
});
