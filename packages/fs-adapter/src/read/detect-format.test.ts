import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { headerLine } from '../format/header.js';
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

  it('an unfinished only line that is not a cut header is refused, not set aside as one', async () => {
    // A kimi-cli file of one record without its newline, opened with the contextlog format only.
    for (const text of ['{"role":"user","content":"hello"}', 'hello', '{"formats":1}']) {
      const path = await write('one.jsonl', text);
      const hash = await sha256(path);
      await expect(openFileStore(path)).rejects.toMatchObject({
        code: 'CORRUPT_SESSION',
        message: expect.stringContaining('cannot tell the format'),
      });
      await expect(readSessionFile(path)).rejects.toMatchObject({ code: 'CORRUPT_SESSION' });
      expect(await sha256(path)).toBe(hash);
      expect((await readdir(join(path, '..'))).filter((name) => name.includes('torn'))).toEqual([]);
    }
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
