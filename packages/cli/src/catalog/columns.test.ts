import { describe, expect, it } from 'vitest';
import { cellText, formatBytes, formatTime, renderTable } from './columns.js';

describe('catalog columns', () => {
  it('sizes in binary units, three figures at most', () => {
    expect([0, 1023, 1024, 1127, 10 * 1024, 1536 * 1024, 5 * 2 ** 30].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.1 KiB',
      '10 KiB',
      '1.5 MiB',
      '5.0 GiB',
    ]);
  });

  it('times to the second, in UTC; anything else as it is', () => {
    expect(formatTime('2026-01-02T03:04:05.678Z')).toBe('2026-01-02 03:04:05Z');
    expect(formatTime('')).toBe('');
  });

  it('quotes a name with a space or a control character', () => {
    expect(['a-b', 'a b', 'a\nb', '漢字', ''].map(cellText)).toEqual([
      'a-b',
      '"a b"',
      '"a\\nb"',
      '漢字',
      '""',
    ]);
  });

  it('pads columns to the widest cell in terminal columns, right-aligning the numbers', () => {
    expect(
      renderTable(
        ['NAME', 'N', 'NOTE'],
        [
          ['漢字', '7', ''],
          ['abcdef', '1234', 'x'],
        ],
        new Set([1]),
      ),
    ).toEqual(['NAME       N  NOTE', '漢字       7', 'abcdef  1234  x']);
  });
});
