import { describe, expect, it } from 'vitest';
import { ASCII_PIECE, lineText } from './line-text.js';

const asciiLine = (bytes: number) => {
  const buf = Buffer.alloc(bytes + 2, 'x');
  buf[0] = 0x0a;
  buf[bytes + 1] = 0x0a;
  for (let i = 1; i <= bytes; i += 97) buf[i] = 0x30 + (i % 10);
  return buf;
};

describe('lineText', () => {
  it('gives a long ASCII line, in pieces or not, and a UTF-8 line their exact text', () => {
    for (const bytes of [100, 70_000, ASCII_PIECE, ASCII_PIECE + 1, 3 * ASCII_PIECE + 7]) {
      const buf = asciiLine(bytes);
      expect(lineText(buf, 1, bytes + 1)).toBe(buf.toString('latin1', 1, bytes + 1));
    }
    const utf8 = Buffer.from(`é${'a'.repeat(100_000)}🙂`, 'utf8');
    expect(lineText(utf8, 0, utf8.length)).toBe(utf8.toString('utf8'));
  });

  it('keeps a megabyte ASCII line on the heap, not as an external string', () => {
    // Node makes an external string of a Latin-1 slice past ~1 MiB; sixteen 4 MB lines held
    // would show as 64 MB of external memory.
    const buf = asciiLine(4 << 20);
    const before = process.memoryUsage().external;
    const held = Array.from({ length: 16 }, () => lineText(buf, 1, buf.length - 1));
    const grown = process.memoryUsage().external - before;
    expect(held).toHaveLength(16);
    expect(grown).toBeLessThan(8 << 20);
  });
});
