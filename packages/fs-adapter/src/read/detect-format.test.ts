import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { openFileStore } from '../store/file-store.js';
import { sha256, TEST_AT, TEST_HEADER, usageLine } from '../testing/index.js';
import { it } from '../testing/vitest.js';
import { readSessionFile } from './read-session-file.js';

// The bytes detection used to look at (and still holds at most): lines beyond it are skipped.
const DETECT_WINDOW = 4 << 20;

describe('format detection', () => {
  it('tells a contextlog file by the start of an event line longer than the window', async ({
    write,
  }) => {
    const big = JSON.stringify({
      seq: 1,
      v: 1,
      at: TEST_AT,
      type: 'messages.appended',
      data: { messages: [{ role: 'user', content: 'y'.repeat(DETECT_WINDOW + 10) }] },
    });
    // A damaged header first: detection has to look past it, then at a line it cannot hold.
    const path = await write('s.jsonl', `{"format":"contextlo\n${big}\n${usageLine(2)}`);
    const read = await readSessionFile(path, { mode: 'lenient' });
    expect(read.format).toBe('contextlog');
    expect(read.state.seq).toBe(2);
  });

  it('reads a file holding only part of a header as an empty session with a torn tail', async ({
    write,
  }) => {
    for (const cut of [1, 10, TEST_HEADER.length - 1]) {
      const path = await write(`torn-${cut}.jsonl`, TEST_HEADER.slice(0, cut));
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
      expect(await readFile(`${path}.torn-0`, 'utf8')).toBe(TEST_HEADER.slice(0, cut));
      expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ format: 'contextlog' });
    }
  });

  it('an unfinished only line that is not a cut header is refused, not set aside as one', async ({
    write,
  }) => {
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

  it('a byte-order mark: contextlog says so at line 1', async ({ write }) => {
    const path = await write(
      'bom.jsonl',
      Buffer.concat([bom, Buffer.from(TEST_HEADER + usageLine(1))]),
    );
    await expect(readSessionFile(path)).rejects.toMatchObject({
      code: 'CORRUPT_SESSION',
      line: 1,
      reason: 'line 1 starts with a byte-order mark (contextlog files have none)',
    });
    const lenient = await readSessionFile(path, { mode: 'lenient' });
    expect(lenient.format).toBe('contextlog');
    expect(lenient.state.seq).toBe(1);
  });

  it('CRLF line endings in a contextlog file: read, with one warning', async ({ write }) => {
    const text = (TEST_HEADER + usageLine(1) + usageLine(2)).replaceAll('\n', '\r\n');
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
