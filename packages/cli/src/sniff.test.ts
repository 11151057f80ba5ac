import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { kimiFormat } from '@contextlog/kimi';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { looksBinary, sniff } from './sniff.js';

const QUIRKS = fileURLToPath(
  new URL('../../kimi/fixtures/python-json-quirks.jsonl', import.meta.url),
);

/** A deterministic stand-in for random bytes (xorshift32), so the test is the same every run. */
function noise(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

describe('sniffing the first block', () => {
  it('a kimi-cli file with a raw NUL and an invalid byte inside strings is text, and kimi', async () => {
    const bytes = await readFile(QUIRKS);
    expect(bytes.includes(0)).toBe(true);
    expect(sniff(bytes, true)).toEqual({ binary: false, format: kimiFormat });
  });

  test.prop([fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 256, max: 8192 })])(
    'random bytes are binary',
    (seed, length) => {
      expect(looksBinary(noise(length, seed))).toBe(true);
    },
  );

  test.prop([fc.string({ unit: 'grapheme', maxLength: 200 })])(
    'JSON text of any characters is not binary',
    (text) => {
      const line = `${JSON.stringify({ role: 'user', content: text })}\n`;
      expect(looksBinary(Buffer.from(line.repeat(5)))).toBe(false);
    },
  );

  it('a few raw control bytes in text do not make it binary; many do', () => {
    const line = Buffer.from('{"role":"user","content":"a\u0000b\u0001c"}\n');
    expect(looksBinary(line)).toBe(false);
    expect(looksBinary(Buffer.from('\u0000\u0001\u0002 abcdefgh\u0003\u0004\u0005'))).toBe(true);
  });

  it('tells the formats apart by the first line that says, past malformed ones', () => {
    const header = '{"format":"contextlog","version":1,"createdAt":"2026-01-01T00:00:00Z"}\n';
    expect(sniff(Buffer.from(header), true).format?.name).toBe('contextlog');
    expect(sniff(Buffer.from('{"seq":1,"type":"x"}\n'), true).format?.name).toBe('contextlog');
    expect(sniff(Buffer.from('oops\n\n{"role":"user","content":"hi"}\n'), true).format?.name).toBe(
      'kimi',
    );
    expect(sniff(Buffer.from('\uFEFF{"role":"user"}\n'), true).format?.name).toBe('kimi');
    expect(sniff(Buffer.from('plain text\n'), true).format?.name).toBeUndefined();
    // A first line longer than the block: judged by how it starts.
    expect(sniff(Buffer.from('{"role":"user","content":"aaaa'), false).format?.name).toBe('kimi');
    expect(sniff(Buffer.from('{"seq":1,"type":"message.appen'), false).format?.name).toBe(
      'contextlog',
    );
  });

  it('agrees with the reader where JSON.parse alone would not tell: the formats decide', () => {
    // A raw control character inside a string: JSON.parse refuses the line, kimi-cli reads it.
    const raw = Buffer.from('{"role":"user","content":"a\u0001b"}\n');
    expect(sniff(raw, true).format).toBe(kimiFormat);
  });
});
