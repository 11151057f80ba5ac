import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preparer, statementName } from './statement.js';

describe('statement names', () => {
  it('differ for different texts and fit an identifier', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (a, b) => {
        const name = statementName(a);
        expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
        expect(statementName(a)).toBe(name);
        if (a !== b) expect(statementName(b)).not.toBe(name);
      }),
    );
  });

  it('a preparer names each text by its hash, or nothing when off', () => {
    const on = preparer(true);
    expect(on('SELECT 1')).toEqual({ name: statementName('SELECT 1') });
    expect(on('SELECT 1')).toBe(on('SELECT 1'));
    expect(on('SELECT 2')?.name).not.toBe(on('SELECT 1')?.name);
    expect(preparer(false)('SELECT 1')).toBeUndefined();
  });
});
