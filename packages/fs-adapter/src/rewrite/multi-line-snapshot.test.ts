import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ContextEngine, type StoredEvent, stateToJson } from '@contextlog/core';
import { notesDialect } from '@contextlog/testkit';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect } from 'vitest';
import { followFileSession } from '../follow/follow-session-file.js';
import { defaultFileSystem, type FileSystem } from '../fs/file-system.js';
import { readSessionEvents } from '../read/read-session-events.js';
import { readSessionFile } from '../read/read-session-file.js';
import { openFileSession } from '../store/open-session.js';
import { sha256 } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { forkSession } from './fork-session.js';
import { snapshotSessionFile } from './snapshot-session-file.js';

const user = (content: string) => ({ role: 'user' as const, content });

/** Every list a snapshot splits: messages, checkpoint marks, metadata, operation ids. */
async function largeSession(path: string): Promise<ContextEngine> {
  const engine = await openFileSession(path);
  await engine.setSystemPrompt('sys');
  for (let i = 0; i < 120; i++) {
    await engine.appendMessages(user(`message ${i} ${'😀'.repeat(i % 7)}`), {
      operationId: `turn-${i}`,
    });
    if (i % 10 === 0) await engine.checkpoint();
    if (i % 30 === 0) await engine.setMetadata(`key-${i}`, { i, text: 'x'.repeat(40) });
  }
  await engine.recordUsage(77);
  await engine.appendMessages(user('pending'));
  return engine;
}

interface Line {
  readonly seq: number;
  readonly type: string;
  readonly part?: { readonly index: number; readonly last: boolean };
}

async function linesOf(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').slice(0, -1);
}

describe('a snapshot written as several lines', () => {
  it('replays, reopens, follows and continues exactly as the session it was', async ({ dir }) => {
    const path = join(dir, 's.jsonl');
    const engine = await largeSession(path);
    const live = stateToJson(engine.state);
    const seq = engine.state.seq;
    await engine.close();

    const result = await snapshotSessionFile(path, { maxPartChars: 600 });
    expect(result).toMatchObject({ seq, snapshotLines: expect.any(Number) });
    expect(result.snapshotLines).toBeGreaterThan(10);
    const lines = await linesOf(path);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ format: 'contextlog', version: 3 });
    const parts = lines.slice(1).map((line) => JSON.parse(line) as Line);
    expect(parts).toHaveLength(result.snapshotLines);
    for (const [i, line] of parts.entries()) {
      expect(line).toMatchObject({ seq, type: 'state.snapshotted', part: { index: i } });
      expect(line.part?.last).toBe(i === parts.length - 1);
    }
    for (const line of lines.slice(2)) expect(line.length).toBeLessThan(1200);
    // In ASCII: the emoji of the messages are escapes (a line is decoded as one string).
    for (const line of lines.slice(1)) expect(/^[\x20-\x7e]*$/.test(line)).toBe(true);

    expect(stateToJson((await readSessionFile(path)).state)).toEqual(live);
    const events: StoredEvent[] = [];
    for await (const event of readSessionEvents(path)) events.push(event);
    expect(events.map((event) => [event.seq, event.type])).toEqual([[seq, 'state.snapshotted']]);

    const following = firstValueFrom(followFileSession(path).pipe(take(2), toArray()));
    const again = await openFileSession(path);
    expect(stateToJson(again.state)).toEqual(live);
    // Operation ids survive: a retried turn writes nothing.
    await again.appendMessages(user('message 119 '), { operationId: 'turn-119' });
    expect(again.state.seq).toBe(seq);
    await again.revertTo(3);
    expect(again.state.seq).toBe(seq + 1);
    const reverted = stateToJson(again.state);
    await again.close();
    expect((await following).map((event) => [event.seq, event.type])).toEqual([
      [seq, 'state.snapshotted'],
      [seq + 1, 'context.reverted'],
    ]);
    expect(stateToJson((await readSessionFile(path)).state)).toEqual(reverted);

    // Snapshotting it again in one line gives the lowest version that can hold it.
    await snapshotSessionFile(path);
    const oneLine = await linesOf(path);
    expect(oneLine).toHaveLength(2);
    expect(JSON.parse(oneLine[0] ?? '')).toMatchObject({ version: 1 });
    expect(stateToJson((await readSessionFile(path)).state)).toEqual(reverted);
  });

  it('forks a session into several lines that replay to its state and forkedFrom', async ({
    dir,
  }) => {
    const source = join(dir, 's.jsonl');
    const engine = await largeSession(source);
    const live = stateToJson(engine.state) as Record<string, unknown>;
    await engine.close();
    const target = join(dir, 'fork.jsonl');
    const fork = await forkSession(source, target, { maxPartChars: 700 });
    const lines = (await linesOf(target)).map((line) => JSON.parse(line) as Line);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.at(-1)).toMatchObject({ seq: 2, type: 'metadata.set' });
    const read = stateToJson((await readSessionFile(target)).state) as Record<string, unknown>;
    expect(read).toEqual(stateToJson(fork.state));
    expect(read.messages).toEqual(live.messages);
    expect(read.checkpoints).toEqual(live.checkpoints);
    expect(read.operations).toEqual(live.operations);
    expect(read.metadata).toMatchObject(live.metadata as object);
  });

  it('keeps a non-default dialect, checking its messages part by part', async ({ dir }) => {
    const path = join(dir, 'notes.jsonl');
    const engine = await openFileSession(path, { dialect: notesDialect });
    for (let i = 0; i < 60; i++) {
      await engine.appendMessages({
        id: `n${i}`,
        role: 'user',
        parts: [{ type: 'text', text: `note ${i}` }],
      });
    }
    const live = stateToJson(engine.state);
    await engine.close();
    const options = { dialects: [notesDialect] };
    await snapshotSessionFile(path, { ...options, maxPartChars: 300 });
    expect((await linesOf(path)).length).toBeGreaterThan(5);
    expect(stateToJson((await readSessionFile(path, options)).state)).toEqual(live);
    // A later part with a message the dialect refuses is named by line and field.
    const lines = await linesOf(path);
    const broken = JSON.parse(lines[3] ?? '') as { data: { messages: unknown[] } };
    broken.data.messages[0] = { id: 7 };
    lines[3] = JSON.stringify(broken);
    await writeFile(path, `${lines.join('\n')}\n`);
    await expect(readSessionFile(path, options)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      line: 4,
      message: expect.stringMatching(/data\.messages\[0\]/),
    });
  });
});

describe('a snapshot whose lines are incomplete', () => {
  async function snapshotted(dir: string): Promise<{ path: string; live: unknown; seq: number }> {
    const path = join(dir, 's.jsonl');
    const engine = await largeSession(path);
    const live = stateToJson(engine.state);
    const { seq } = engine.state;
    await engine.close();
    await snapshotSessionFile(path, { maxPartChars: 600 });
    return { path, live, seq };
  }

  it('without its last line at the end of the file is a torn tail: set aside on open, from its first line', async ({
    dir,
  }) => {
    const { path } = await snapshotted(dir);
    const lines = await linesOf(path);
    const header = `${lines[0]}\n`;
    // Whole lines but the last part, then half of the last: both are an unfinished write.
    for (const cut of ['', (lines.at(-1) ?? '').slice(0, 50)]) {
      await writeFile(path, `${lines.slice(0, -1).join('\n')}\n${cut}`);
      const read = await readSessionFile(path);
      expect(read.state.seq).toBe(0);
      expect(read.diagnostics).toEqual([
        expect.objectContaining({
          line: 2,
          offset: Buffer.byteLength(header),
          severity: 'warning',
          reason: expect.stringMatching(/^torn tail: snapshot seq \d+ stops after part \d+/),
        }),
      ]);
      const engine = await openFileSession(path);
      expect(engine.state.seq).toBe(0);
      await engine.appendMessages(user('after'));
      await engine.close();
      expect(await readFile(path, 'utf8')).toMatch(
        new RegExp(`^${header.replace(/[{}.*+?^$()|[\]\\]/g, '\\$&')}\\{"seq":1,`),
      );
      const aside = (await readdir(dir)).filter((name) => name.includes('.torn-'));
      expect(aside).toHaveLength(1);
      const kept = await readFile(join(dir, aside[0] ?? ''), 'utf8');
      expect(kept.startsWith(lines[1] ?? '-')).toBe(true);
      for (const name of aside) await rm(join(dir, name));
    }
  });

  it('cut short by another line is corruption: strict names the line, lenient skips the snapshot', async ({
    dir,
  }) => {
    const { path, seq } = await snapshotted(dir);
    const lines = await linesOf(path);
    const intruder = JSON.stringify({
      seq: seq + 1,
      type: 'usage.recorded',
      v: 1,
      at: 'now',
      data: { tokenCount: 1 },
    });
    lines.splice(3, 0, intruder);
    await writeFile(path, `${lines.join('\n')}\n`);
    const before = await sha256(path);
    await expect(readSessionFile(path)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      line: 4,
      message: expect.stringMatching(
        /snapshot seq \d+ \(from line 2\) stops after part 1 without its last part/,
      ),
    });
    await expect(openFileSession(path)).rejects.toMatchObject({ code: 'CORRUPT_SESSION', line: 4 });
    expect(await sha256(path)).toBe(before);
    const lenient = await readSessionFile(path, { mode: 'lenient' });
    expect(lenient.diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThan(0);
    expect(lenient.diagnostics[0]).toMatchObject({ line: 4, severity: 'error' });
  });

  it('a part out of order or with a broken part field is corruption naming its line', async ({
    dir,
  }) => {
    const { path } = await snapshotted(dir);
    const lines = await linesOf(path);
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [swapped[3] ?? '', swapped[2] ?? ''];
    await writeFile(path, `${swapped.join('\n')}\n`);
    await expect(readSessionFile(path)).rejects.toMatchObject({
      line: 3,
      message: expect.stringMatching(/part 2 where part 1 was due/),
    });
    const badRef = [...lines];
    badRef[2] = (badRef[2] ?? '').replace('"part":{"index":1,', '"part":{"index":"one",');
    await writeFile(path, `${badRef.join('\n')}\n`);
    await expect(readSessionFile(path)).rejects.toMatchObject({
      line: 3,
      message: expect.stringMatching(/part: expected/),
    });
  });
});

describe('the check of what a rewrite wrote', () => {
  it('refuses a snapshot or fork whose written lines replay otherwise, leaving everything as it was', async ({
    dir,
  }) => {
    const path = join(dir, 's.jsonl');
    await (await largeSession(path)).close();
    const before = await sha256(path);
    // A disk that writes one digit of a message otherwise: the file still reads, to another state.
    const lying: FileSystem = {
      ...defaultFileSystem,
      async open(file, flags, mode) {
        const handle = await defaultFileSystem.open(file, flags, mode);
        return {
          ...handle,
          read: (...args) => handle.read(...args),
          stat: () => handle.stat(),
          sync: () => handle.sync(),
          truncate: (length) => handle.truncate(length),
          close: () => handle.close(),
          write: (buffer, offset, length, position) => {
            const bytes = Buffer.from(buffer.subarray(offset, offset + length));
            const at = bytes.indexOf('message 42 ');
            if (at !== -1) bytes[at + 'message 4'.length] = '3'.charCodeAt(0);
            return handle.write(bytes, 0, length, position);
          },
        };
      },
    };
    await expect(snapshotSessionFile(path, { fs: lying, maxPartChars: 600 })).rejects.toMatchObject(
      {
        code: 'REWRITE_CHECK_FAILED',
      },
    );
    await expect(forkSession(path, join(dir, 'fork.jsonl'), { fs: lying })).rejects.toMatchObject({
      code: 'REWRITE_CHECK_FAILED',
    });
    expect(await sha256(path)).toBe(before);
    expect((await readdir(dir)).sort()).toEqual(['s.jsonl']);
  });
});

describe('following a file while a snapshot is written in several lines', () => {
  it('emits the snapshot once, whole, when its last line is there', async ({ dir }) => {
    const source = join(dir, 's.jsonl');
    await (await largeSession(source)).close();
    await snapshotSessionFile(source, { maxPartChars: 600 });
    const lines = await linesOf(source);
    const path = join(dir, 'followed.jsonl');
    // The header and the first parts, then (while followed) the rest.
    await writeFile(path, `${lines.slice(0, 4).join('\n')}\n`);
    const seen: StoredEvent[] = [];
    const subscription = followFileSession(path, { pollIntervalMs: 20 }).subscribe((event) =>
      seen.push(event),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(seen).toEqual([]);
      await appendFile(path, `${lines.slice(4, -1).join('\n')}\n`);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(seen).toEqual([]);
      await appendFile(path, `${lines.at(-1)}\n`);
      for (let i = 0; i < 50 && seen.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      subscription.unsubscribe();
    }
    expect(seen).toHaveLength(1);
    const whole = (await readSessionEvents(source)[Symbol.asyncIterator]().next()).value;
    expect(seen[0]).toEqual(whole);
  });
});
