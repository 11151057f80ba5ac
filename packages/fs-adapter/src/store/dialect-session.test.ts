import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  codePointLength,
  createContext,
  DialectMismatchError,
  defineDialect,
  stateToJson,
} from '@contextlog/core';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { followFileSession } from '../follow/follow-session-file.js';
import { readSessionEvents } from '../read/read-session-events.js';
import { readSessionFile } from '../read/read-session-file.js';
import { forkSession } from '../rewrite/fork-session.js';
import { snapshotSessionFile } from '../rewrite/snapshot-session-file.js';
import { it } from '../testing/vitest.js';
import { openFileStore } from './file-store.js';
import { openFileSession } from './open-session.js';

const NoteSchema = z.looseObject({
  id: z.string().min(1),
  role: z.enum(['user', 'assistant']),
  text: z.string(),
});
type Note = z.infer<typeof NoteSchema>;
const notes = defineDialect<Note>({
  name: 'notes',
  version: 1,
  schema: NoteSchema,
  textLength: (note) => codePointLength(note.text),
});
const note = (id: string, text: string): Note => ({ id, role: 'user', text });

const headerOf = async (path: string) =>
  JSON.parse((await readFile(path, 'utf8')).split('\n')[0] as string) as { version: number };

describe('a session file in a dialect', () => {
  it('gets header version 2, reopens with its dialect, and reads the same everywhere', async ({
    dir,
  }) => {
    const path = join(dir, 'notes.jsonl');
    const engine = await openFileSession(path, { dialect: notes });
    await engine.appendMessages([note('a', 'hello'), note('b', 'world!!!')]);
    await engine.recordUsage(10);
    await engine.appendMessages(note('c', '12345678'));
    const live = stateToJson(engine.state);
    await engine.close();

    expect((await headerOf(path)).version).toBe(2);
    const reopened = await openFileSession(path, { dialect: notes });
    expect(stateToJson(reopened.state)).toEqual(live);
    await reopened.close();
    await expect(openFileSession(path)).rejects.toBeInstanceOf(DialectMismatchError);

    const read = await readSessionFile(path, { dialects: [notes] });
    expect(stateToJson(read.state)).toEqual(live);
    expect(read.diagnostics).toEqual([]);

    const events = [];
    for await (const event of readSessionEvents(path, { dialects: [notes] })) events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'session.declared',
      'messages.appended',
      'usage.recorded',
      'messages.appended',
    ]);
    const followed = await firstValueFrom(followFileSession(path).pipe(take(4), toArray()));
    expect(followed).toEqual(events);
  });

  it('a reader that does not know the dialect reads the messages, warns, and gives no estimate', async ({
    dir,
  }) => {
    const path = join(dir, 'notes.jsonl');
    const engine = await openFileSession(path, { dialect: notes });
    await engine.appendMessages(note('a', 'hello'));
    await engine.close();
    const read = await readSessionFile(path);
    expect(read.state.messages).toEqual([note('a', 'hello')]);
    expect(read.state.pendingTokenEstimate).toBeNull();
    expect(read.diagnostics).toEqual([
      expect.objectContaining({
        line: 2,
        severity: 'warning',
        reason: expect.stringMatching(/dialect notes v1 is not known here/),
      }),
    ]);
  });

  it('a known dialect is validated by the reader, naming the line', async ({ dir }) => {
    const path = join(dir, 'notes.jsonl');
    const engine = await openFileSession(path, { dialect: notes });
    await engine.appendMessages(note('a', 'hello'));
    await engine.close();
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"id":"a"', '"id":""'));
    await expect(readSessionFile(path, { dialects: [notes] })).rejects.toThrow(
      /notes\.jsonl:3 .*id/,
    );
    await expect(openFileSession(path, { dialect: notes })).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
    });
  });

  it('a kimi-cli session keeps header version 1', async ({ dir }) => {
    const path = join(dir, 'kimi.jsonl');
    const engine = await openFileSession(path);
    await engine.appendMessages({ role: 'user', content: 'hi' });
    await engine.close();
    expect((await headerOf(path)).version).toBe(1);
  });

  it('a snapshot keeps the dialect (header version 2) and replays to the same state', async ({
    dir,
  }) => {
    const path = join(dir, 'notes.jsonl');
    const engine = await openFileSession(path, { dialect: notes });
    await engine.appendMessages([note('a', 'hello'), note('b', 'again')]);
    await engine.checkpoint();
    const live = stateToJson(engine.state);
    await engine.close();
    // Without the dialect the pending text cannot be counted, so the snapshot would lose it.
    const before = await readFile(path);
    await expect(snapshotSessionFile(path)).rejects.toMatchObject({ code: 'UNKNOWN_DIALECT' });
    expect(await readFile(path)).toEqual(before);
    await snapshotSessionFile(path, { dialects: [notes] });
    expect((await headerOf(path)).version).toBe(2);
    const reopened = await createContext(await openFileStore(path), { dialect: notes });
    expect(stateToJson(reopened.state)).toEqual(live);
    await reopened.close();
    const forked = join(dir, 'fork.jsonl');
    await forkSession(path, forked, { dialects: [notes], atCheckpoint: 0 });
    expect((await headerOf(forked)).version).toBe(2);
    const fork = await openFileSession(forked, { dialect: notes });
    expect(fork.state.messages).toEqual([note('a', 'hello'), note('b', 'again')]);
    expect(fork.state.pendingTextLength).toBe(10);
    await fork.close();
  });
});
