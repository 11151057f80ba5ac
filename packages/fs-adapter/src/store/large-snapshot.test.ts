import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type StoredEvent, stateToJson } from '@contextlog/core';
import { describe, expect } from 'vitest';
import { readSessionFile } from '../read/read-session-file.js';
import { it } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

/** A snapshot event far longer than a line's part: a store writes it as its parts. */
function largeSnapshot(seq: number): StoredEvent {
  const messages = Array.from({ length: 3000 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `${i} ${'y'.repeat(600)}`,
  }));
  return {
    seq,
    type: 'state.snapshotted',
    v: 1,
    at: '2026-12-06T00:00:00.000Z',
    data: {
      state: {
        systemPrompt: 'sys',
        messages,
        tokenCount: 5,
        pendingTextLength: 0,
        nextCheckpointId: 1,
        checkpoints: [{ id: 0, messageCount: 10, tokenCount: 0, pendingTextLength: 0 }],
        metadata: { k: 'v' },
        seq,
      },
    },
  } as StoredEvent;
}

describe('a store given a large state.snapshotted', () => {
  it('writes it as its parts under a version 3 header, and loads the same event back', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const event = largeSnapshot(40);
    const store = await openFileStore(path);
    await store.append([event], { expectedSeq: 0 });
    const next = {
      seq: 41,
      type: 'usage.recorded',
      v: 1,
      at: '2026-12-06T00:00:01.000Z',
      data: { tokenCount: 9 },
    } as StoredEvent;
    await store.append([next], { expectedSeq: 40 });
    await store.close();
    const lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ version: 3 });
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines.slice(1)) expect(line.length).toBeLessThan(1.1 * 2 ** 20);
    const again = await openFileStore(path);
    const loaded: StoredEvent[] = [];
    for await (const stored of again.load()) loaded.push(stored);
    await again.close();
    expect(loaded).toEqual([event, next]);
    const engine = await openFileSession(path);
    expect(stateToJson(engine.state)).toEqual(stateToJson((await readSessionFile(path)).state));
    expect(engine.state.messages).toHaveLength(3000);
    expect(engine.state.seq).toBe(41);
    await engine.close();
  });

  it('raises a version 1 header in place when the snapshot comes after other events', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    const engine = await openFileSession(path);
    await engine.appendMessages({ role: 'user', content: 'first' });
    await engine.close();
    expect((await readFile(path, 'utf8')).split('\n')[0]).toMatch(/"version":1/);
    const store = await openFileStore(path);
    await store.append([largeSnapshot(2)], { expectedSeq: 1 });
    await store.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toMatch(/"version":3/);
    const read = await readSessionFile(path);
    expect(read.state.messages).toHaveLength(3000);
    expect(read.diagnostics).toEqual([]);
  });
});
