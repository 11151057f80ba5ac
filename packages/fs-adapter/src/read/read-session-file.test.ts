import { readFile } from 'node:fs/promises';
import { CorruptSessionError, type StoredEvent, stateToJson } from '@contextlog/core';
import { foldEvents } from '@contextlog/core/store';
import { describe, expect } from 'vitest';
import { headerLine } from '../format/header.js';
import { sha256 } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { readSessionEvents } from './read-session-events.js';
import { readSessionFile } from './read-session-file.js';

const at = '2026-01-01T00:00:00.000Z';
const message = (seq: number, content: string): StoredEvent => ({
  seq,
  v: 1,
  at,
  type: 'messages.appended',
  data: { messages: [{ role: 'user', content }] },
});
const events: StoredEvent[] = [
  { seq: 1, v: 1, at, type: 'system_prompt.set', data: { prompt: 'sys' } },
  message(2, 'one'),
  { seq: 3, v: 1, at, type: 'checkpoint.created', data: { id: 0, addUserMessage: false } },
  message(4, 'two 😀'),
  { seq: 5, v: 1, at, type: 'usage.recorded', data: { tokenCount: 9 } },
  message(6, 'three'),
];
const lineOf = (event: unknown) => `${JSON.stringify(event)}\n`;
const fileOf = (lines: readonly string[]) => headerLine(new Date(at)) + lines.join('');

describe('readSessionFile on contextlog files', () => {
  it('reads a number too large for a double (another writer’s) the same on the fast and the slow path', async ({
    write,
  }) => {
    // The second line has a key in `data` the fast path does not know: it goes through zod.
    const fast = `{"seq":1,"type":"messages.appended","v":1,"at":"${at}","data":{"messages":[{"role":"user","content":"a","score":1e400}]}}\n`;
    const slow = `{"seq":2,"type":"messages.appended","v":1,"at":"${at}","data":{"messages":[{"role":"user","content":"b","score":1e400}],"note":1}}\n`;
    const { state } = await readSessionFile(await write('big.jsonl', fileOf([fast, slow])));
    expect(state.messages.map((m) => (m as { score?: unknown }).score)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it('replays a file to the state of its events, with counts and progress', async ({ write }) => {
    const path = await write('s.jsonl', fileOf(events.map(lineOf)));
    const progress: number[] = [];
    const result = await readSessionFile(path, {
      withEvents: true,
      onProgress: (p) => progress.push(p.bytesRead),
    });
    expect(result.format).toBe('contextlog');
    expect(stateToJson(result.state)).toEqual(stateToJson(foldEvents(events)));
    expect(result.events).toEqual(events);
    expect(result.diagnostics).toEqual([]);
    const bytes = (await readFile(path)).length;
    expect(result.counts).toEqual({ lines: 7, events: 6, skipped: 0, blank: 0, bytes });
    expect(progress.at(-1)).toBe(bytes);
    const streamed: StoredEvent[] = [];
    const streamedProgress: number[] = [];
    for await (const event of readSessionEvents(path, {
      onProgress: (p) => streamedProgress.push(p.bytesRead),
    })) {
      streamed.push(event);
    }
    expect(streamed).toEqual(events);
    expect(streamedProgress.at(-1)).toBe(bytes);
  });

  it('reads an empty file as an empty session, and returns events only when asked', async ({
    write,
  }) => {
    const result = await readSessionFile(await write('e.jsonl', ''));
    expect(result.format).toBe('contextlog');
    expect(result.state.seq).toBe(0);
    expect(result.events).toBeUndefined();
  });

  it('reads lines far longer than its read buffer', async ({ write }) => {
    const long = message(1, 'x'.repeat(3_000_000));
    const path = await write('long.jsonl', fileOf([lineOf(long), lineOf(message(2, 'y'))]));
    const result = await readSessionFile(path);
    expect(result.state.messages.map((m) => String(m.content).length)).toEqual([3_000_000, 1]);
  });

  it('accepts a file whose events start with a state.snapshotted at any seq', async ({ write }) => {
    const snapshot = {
      seq: 41,
      v: 1,
      at,
      type: 'state.snapshotted',
      data: { state: stateToJson(foldEvents(events)) },
    };
    const path = await write('snap.jsonl', fileOf([lineOf(snapshot), lineOf(message(42, 'next'))]));
    const result = await readSessionFile(path);
    expect(result.state.seq).toBe(42);
    expect(result.state.messages).toHaveLength(4);
  });

  it('ignores a torn tail with a warning', async ({ write }) => {
    const lines = events.map(lineOf);
    const tail = lineOf(message(7, 'torn')).slice(0, 20);
    const text = fileOf(lines) + tail;
    const path = await write('torn.jsonl', text);
    const result = await readSessionFile(path);
    expect(result.state.seq).toBe(6);
    expect(result.diagnostics).toEqual([
      {
        line: 8,
        offset: Buffer.byteLength(text) - tail.length,
        severity: 'warning',
        reason: expect.stringContaining('torn tail'),
      },
    ]);
    expect(result.tornTail).toEqual({ offset: Buffer.byteLength(text) - tail.length, length: 20 });
    // A whole file has none.
    expect((await readSessionFile(await write('whole.jsonl', fileOf(lines)))).tornTail).toBe(
      undefined,
    );
  });

  const corruptions: Array<[string, (line: string) => string | Buffer, string]> = [
    ['a line that does not parse', (line) => line.slice(0, 30), 'not valid JSON'],
    ['an empty line', () => '', 'empty line'],
    ['a seq duplicate', () => JSON.stringify(message(3, 'dup')), 'repeats'],
    ['a seq gap', () => JSON.stringify(message(9, 'gap')), 'seq gap'],
    [
      'an unknown event type',
      () => JSON.stringify({ ...message(4, 'x'), type: 'tool.invented' }),
      'unknown event type',
    ],
    ['a newer event version', () => JSON.stringify({ ...message(4, 'x'), v: 2 }), 'newer'],
    [
      'an invalid event',
      () => JSON.stringify({ ...message(4, 'x'), data: { messages: [] } }),
      'data.messages',
    ],
    [
      'invalid UTF-8',
      (line) =>
        Buffer.concat([
          Buffer.from(line.slice(0, 40)),
          Buffer.from([0xc3, 0x28]),
          Buffer.from(line.slice(40)),
        ]),
      'invalid UTF-8',
    ],
    [
      'a revert to a checkpoint that is not live',
      () =>
        JSON.stringify({ seq: 4, v: 1, at, type: 'context.reverted', data: { checkpointId: 7 } }),
      'checkpoint 7',
    ],
  ];

  it.for(corruptions)(
    'strict: %s in the middle is a CorruptSessionError naming line and byte, file untouched',
    async ([_name, corrupt, reason], { write }) => {
      const lines = events.map(lineOf);
      const bad = corrupt((lines[3] ?? '').slice(0, -1));
      const before = Buffer.from(fileOf(lines.slice(0, 3)));
      const path = await write(
        'bad.jsonl',
        Buffer.concat([before, Buffer.from(bad), Buffer.from(`\n${lines.slice(4).join('')}`)]),
      );
      const hash = await sha256(path);
      const error = await readSessionFile(path).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptSessionError);
      expect(error).toMatchObject({ source: path, line: 5, offset: before.length });
      expect((error as CorruptSessionError).reason).toContain(reason);
      expect((error as Error).message).toContain(`${path}:5`);
      expect(await sha256(path)).toBe(hash);

      const lenient = await readSessionFile(path, { mode: 'lenient' });
      const errors = lenient.diagnostics.filter((d) => d.severity === 'error');
      expect(errors[0]).toMatchObject({ line: 5, offset: before.length, severity: 'error' });
      expect(errors[0]?.reason).toContain(reason);
      // The events before the bad line are kept, and after it those that continue the seqs.
      const contents = lenient.state.messages.map((m) => m.content);
      expect(contents).toContain('one');
      if (!reason.includes('gap')) expect(contents).toContain('three');
      expect(await sha256(path)).toBe(hash);
    },
  );

  it('strict: a missing header is line 1; lenient reads the events anyway', async ({ write }) => {
    const path = await write('nohead.jsonl', events.map(lineOf).join(''));
    await expect(readSessionFile(path, { format: 'contextlog' })).rejects.toMatchObject({
      line: 1,
      offset: 0,
      reason: expect.stringContaining('missing header'),
    });
    const lenient = await readSessionFile(path, { mode: 'lenient' });
    expect(lenient.format).toBe('contextlog');
    expect(lenient.state.seq).toBe(6);
    expect(lenient.diagnostics).toHaveLength(1);
  });

  it('auto-detects past a malformed first line', async ({ write }) => {
    const path = await write('mal.jsonl', `{"format":"contextlo\n${events.map(lineOf).join('')}`);
    const lenient = await readSessionFile(path, { mode: 'lenient' });
    expect(lenient.format).toBe('contextlog');
    expect(lenient.state.seq).toBe(6);
  });
});
