import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stateToJson } from '@contextlog/core';
import { describe, expect } from 'vitest';
import { forkSession } from '../rewrite/fork-session.js';
import { openFileStore } from '../store/file-store.js';
import { openFileSession } from '../store/open-session.js';
import { sha256 } from '../testing/temp-dir.js';
import { it } from '../testing/vitest.js';
import { contextlogFormat } from './contextlog-format.js';
import { DETECT_WINDOW } from './detect-format.js';
import { notesFormat } from './notes-format.test-helper.js';
import { readSessionFile } from './read-session-file.js';

// The format slot, with a format fs-adapter does not know: what any third format gets.

const formats = [contextlogFormat, notesFormat];
const notes = '{"note":"one"}\n\n{"note":"two"}\n';

describe('formats are passed to the reader', () => {
  it('by default only contextlog is known: a notes file is of no known format', async ({
    write,
  }) => {
    const path = await write('n.jsonl', notes);
    await expect(readSessionFile(path)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      reason: 'cannot tell the format: no contextlog header in its 2 non-blank lines',
    });
    await expect(readSessionFile(path, { formats })).resolves.toMatchObject({ format: 'notes' });
  });

  it('reads a file of the format it detects, through its decoder', async ({ dir, write }) => {
    const read = await readSessionFile(await write('n.jsonl', notes), { formats });
    expect(read.format).toBe('notes');
    expect(read.state.messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'user', content: 'two' },
    ]);
    expect(read.counts).toMatchObject({ lines: 3, events: 2, blank: 1, skipped: 0 });
    expect(read.header).toBeUndefined();
    const engine = await openFileSession(join(dir, 's.jsonl'));
    await engine.recordUsage(3);
    await engine.close();
    const contextlog = await readSessionFile(join(dir, 's.jsonl'), { formats });
    expect(contextlog.format).toBe('contextlog');
    expect(contextlog.header).toMatchObject({ format: 'contextlog' });
  });

  it('says which formats it was given when it cannot tell', async ({ write }) => {
    const path = await write('x.jsonl', 'plain text\n');
    await expect(readSessionFile(path, { formats })).rejects.toMatchObject({
      reason:
        'cannot tell the format: no contextlog header and no line with a string "note" in its 1 non-blank line',
    });
  });

  it('a line a format is sure of beats a weak claim of a format asked first', async ({ write }) => {
    const read = await readSessionFile(
      await write('n.jsonl', '{"seq":1,"type":"t","note":"x"}\n'),
      {
        formats,
      },
    );
    expect(read.format).toBe('notes');
  });

  it('a line too long to hold is told by its start', async ({ write }) => {
    const long = JSON.stringify({ note: 'x'.repeat(DETECT_WINDOW + 10) });
    const read = await readSessionFile(await write('n.jsonl', `${long}\n`), { formats });
    expect(read.format).toBe('notes');
  });

  it('defaults: an empty file is of the first format, blank lines of the first that allows them', async ({
    write,
  }) => {
    expect((await readSessionFile(await write('e.jsonl', ''), { formats })).format).toBe(
      'contextlog',
    );
    expect((await readSessionFile(await write('b.jsonl', '\n \n'), { formats })).format).toBe(
      'notes',
    );
  });

  it('a format by name must be one of those given', async ({ write }) => {
    const path = await write('n.jsonl', notes);
    expect((await readSessionFile(path, { formats, format: 'notes' })).state.seq).toBe(2);
    await expect(readSessionFile(path, { format: 'notes' })).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
      message: 'unknown session format "notes": the formats given are contextlog',
    });
    await expect(readSessionFile(path, { formats: [] })).rejects.toMatchObject({
      code: 'UNKNOWN_FORMAT',
    });
  });

  it('fork reads its source in the formats given', async ({ dir, write }) => {
    const source = await write('n.jsonl', notes);
    const target = join(dir, 'fork.jsonl');
    await expect(forkSession(source, target)).rejects.toMatchObject({ code: 'CORRUPT_SESSION' });
    const fork = await forkSession(source, target, { formats });
    expect(fork.state.messages).toHaveLength(2);
    expect((await readSessionFile(target)).state.messages).toEqual(fork.state.messages);
  });
});

describe('a store writes contextlog sessions only', () => {
  it('refuses a file of another format, by name when it was given, untouched and unlocked', async ({
    dir,
    write,
  }) => {
    const path = await write('n.jsonl', notes);
    const hash = await sha256(path);
    await expect(openFileStore(path)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      reason: expect.stringContaining('cannot tell the format'),
    });
    await expect(openFileStore(path, { formats: [notesFormat] })).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      line: 1,
      reason: 'a notes file, not a contextlog session: import it first',
    });
    expect(await sha256(path)).toBe(hash);
    expect(await readdir(dir)).toEqual(['n.jsonl']);
  });
});

describe("contextlog's encoder", () => {
  it('writes lines that read back as the events it was fed', async ({ dir, write }) => {
    const source = join(dir, 's.jsonl');
    const engine = await openFileSession(source);
    await engine.setSystemPrompt('sys');
    await engine.appendMessages({ role: 'user', content: 'hi 😀' });
    await engine.checkpoint();
    await engine.recordUsage(7);
    await engine.close();
    const read = await readSessionFile(source, { withEvents: true });
    const encoder = contextlogFormat.createEncoder?.(source);
    for (const event of read.events ?? []) encoder?.apply(event);
    const copy = await write('copy.jsonl', `${[...(encoder?.lines() ?? [])].join('\n')}\n`);
    const back = await readSessionFile(copy, { withEvents: true });
    expect(back.events).toEqual(read.events);
    expect(stateToJson(back.state)).toEqual(stateToJson(read.state));
    // The events' lines are the store's own, byte for byte.
    const lines = (text: string) => text.split('\n').slice(1);
    expect(lines(await readFile(copy, 'utf8'))).toEqual(lines(await readFile(source, 'utf8')));
  });
});
