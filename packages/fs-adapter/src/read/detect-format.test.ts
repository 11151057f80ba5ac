import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerLine } from '../format/header.js';
import { importKimiSession } from '../kimi/import.js';
import { openFileStore } from '../store/file-store.js';
import { sha256, tempDir } from '../testing/temp-dir.js';
import { readSessionFile } from './read-session-file.js';

// The bytes detection used to look at (and still holds at most): lines beyond it are skipped.
const DETECT_WINDOW = 4 << 20;

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

async function write(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const at = '2026-01-01T00:00:00.000Z';
const header = headerLine(new Date(at));
const usage = (seq: number) =>
  `${JSON.stringify({ seq, v: 1, at, type: 'usage.recorded', data: { tokenCount: seq } })}\n`;

describe('format detection', () => {
  it('reads a kimi-cli file whose first record is longer than the detection window', async () => {
    const url = `data:image/png;base64,${'x'.repeat(DETECT_WINDOW + 1000)}`;
    const first = JSON.stringify({
      role: 'user',
      content: [{ type: 'image_url', image_url: { url, id: null } }],
    });
    const path = await write('context.jsonl', `${first}\n{"role":"assistant","content":"ok"}\n`);
    const read = await readSessionFile(path);
    expect(read.format).toBe('kimi');
    expect(read.state.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const out = join(dir, 'imported.jsonl');
    const imported = await importKimiSession(path, out);
    expect(imported.events).toBe(2);
    expect((await readSessionFile(out)).state.messages).toHaveLength(2);
  });

  it('tells a contextlog file by the start of an event line longer than the window', async () => {
    const big = JSON.stringify({
      seq: 1,
      v: 1,
      at,
      type: 'messages.appended',
      data: { messages: [{ role: 'user', content: 'y'.repeat(DETECT_WINDOW + 10) }] },
    });
    // A damaged header first: detection has to look past it, then at a line it cannot hold.
    const path = await write('s.jsonl', `{"format":"contextlo\n${big}\n${usage(2)}`);
    const read = await readSessionFile(path, { mode: 'lenient' });
    expect(read.format).toBe('contextlog');
    expect(read.state.seq).toBe(2);
  });

  it('looks past any number of malformed lines', async () => {
    const path = await write('m.jsonl', `${'{bad\n'.repeat(150)}{"role":"user","content":"hi"}\n`);
    const read = await readSessionFile(path, { mode: 'lenient' });
    expect(read.format).toBe('kimi');
    expect(read.state.messages).toEqual([{ role: 'user', content: 'hi' }]);
    await expect(readSessionFile(path)).rejects.toMatchObject({ code: 'CORRUPT_SESSION', line: 1 });
  });

  it('reads a file holding only part of a header as an empty session with a torn tail', async () => {
    for (const cut of [1, 10, header.length - 1]) {
      const path = await write(`torn-${cut}.jsonl`, header.slice(0, cut));
      const hash = await sha256(path);
      const read = await readSessionFile(path);
      expect(read.format).toBe('contextlog');
      expect(read.state.seq).toBe(0);
      expect(read.diagnostics).toEqual([
        expect.objectContaining({ line: 1, offset: 0, severity: 'warning' }),
      ]);
      expect(await sha256(path)).toBe(hash);
      const store = await openFileStore(path);
      expect(store.tornTailPath).toBe(`${path}.torn-0`);
      await store.close();
      expect(await readFile(`${path}.torn-0`, 'utf8')).toBe(header.slice(0, cut));
      expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ format: 'contextlog' });
    }
  });

  it('still reads an unterminated single kimi-cli record as a record, and imports it', async () => {
    const path = await write('one.jsonl', '{"role":"user","content":"hi"}');
    const read = await readSessionFile(path);
    expect(read.format).toBe('kimi');
    expect(read.state.messages).toEqual([{ role: 'user', content: 'hi' }]);
    const torn = await write('torn.jsonl', '{"role":"us');
    // Nothing says kimi-cli, but nothing says contextlog either: import reads it by kimi-cli's
    // rules (a torn last line, skipped) instead of refusing it.
    const imported = await importKimiSession(torn, join(dir, 'out.jsonl'));
    expect(imported.events).toBe(0);
    expect(imported.diagnostics).toEqual([expect.objectContaining({ severity: 'warning' })]);
    // A line that positively says contextlog is still refused.
    const contextlog = await write('c.jsonl', `${header}${usage(1)}`);
    await expect(importKimiSession(contextlog, join(dir, 'out2.jsonl'))).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
    });
    expect((await readdir(dir)).sort()).toEqual([
      'c.jsonl',
      'one.jsonl',
      'out.jsonl',
      'torn.jsonl',
    ]);
  });
});

describe('what an editor leaves', () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);

  it('a byte-order mark: contextlog says so at line 1', async () => {
    const path = await write('bom.jsonl', Buffer.concat([bom, Buffer.from(header + usage(1))]));
    await expect(readSessionFile(path)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      line: 1,
      reason: 'line 1 starts with a byte-order mark (contextlog files have none)',
    });
    const lenient = await readSessionFile(path, { mode: 'lenient' });
    expect(lenient.format).toBe('contextlog');
    expect(lenient.state.seq).toBe(1);
  });

  it('a byte-order mark: kimi-cli files name it too (json.loads refuses it, kimi-cli skips it)', async () => {
    const text = '{"role":"user","content":"a"}\n{"role":"user","content":"b"}\n';
    const path = await write('bom-kimi.jsonl', Buffer.concat([bom, Buffer.from(text)]));
    await expect(readSessionFile(path)).rejects.toMatchObject({
      line: 1,
      reason: expect.stringContaining('byte-order mark'),
    });
    const lenient = await readSessionFile(path, { mode: 'lenient' });
    expect(lenient.format).toBe('kimi');
    expect(lenient.state.messages).toEqual([{ role: 'user', content: 'b' }]);
  });

  it('CRLF line endings in a contextlog file: read, with one warning', async () => {
    const text = (header + usage(1) + usage(2)).replaceAll('\n', '\r\n');
    const read = await readSessionFile(await write('crlf.jsonl', text));
    expect(read.state.seq).toBe(2);
    expect(read.diagnostics).toEqual([
      expect.objectContaining({
        line: 1,
        offset: 0,
        severity: 'warning',
        reason: expect.stringContaining('CRLF'),
      }),
    ]);
  });
});
