import { describe, expect, expectTypeOf, it } from 'vitest';
import { codeOf, hasCode } from './codes.js';
import { ConcurrencyError, ContextlogError, CorruptSessionError } from './errors.js';

describe('codeOf', () => {
  it("reads a string code from any object: a contextlog error's, a system error's", () => {
    expect(codeOf(new ConcurrencyError(1, 2))).toBe('CONCURRENCY');
    expect(codeOf(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(codeOf({ code: '42P01' })).toBe('42P01');
  });

  it('is undefined for anything without a string code', () => {
    for (const value of [undefined, null, 'CONCURRENCY', 42, new Error('x'), { code: 42 }]) {
      expect(codeOf(value)).toBeUndefined();
    }
  });
});

describe('hasCode', () => {
  it("recognises another copy's error by its code, and narrows to that code's error", () => {
    // What a second copy of @contextlog/core would throw: not an instance of this copy's class.
    const foreign: unknown = Object.assign(new Error('s.jsonl:3: bad'), {
      code: 'CORRUPT_SESSION',
      source: 's.jsonl',
      line: 3,
      reason: 'bad',
    });
    expect(foreign instanceof CorruptSessionError).toBe(false);
    expect(hasCode(foreign, 'CORRUPT_SESSION')).toBe(true);
    expect(hasCode(foreign, 'CONCURRENCY')).toBe(false);
    if (hasCode(foreign, 'CORRUPT_SESSION')) {
      expectTypeOf(foreign).toEqualTypeOf<CorruptSessionError>();
      expect(foreign.line).toBe(3);
    }
  });

  it('accepts only the codes of the table (checked by `tsc -b`, which compiles this file)', () => {
    const error: unknown = new ConcurrencyError(1, 2);
    // @ts-expect-error a misspelt code does not compile
    expect(hasCode(error, 'CONCURENCY')).toBe(false);
    // @ts-expect-error a system error's code is read with codeOf, not hasCode
    expect(hasCode(error, 'ENOENT')).toBe(false);
    expectTypeOf<ContextlogError['code']>().toEqualTypeOf<Parameters<typeof hasCode>[1]>();
  });

  it('a ContextlogError subclass must carry a code of the table', () => {
    class Stray extends ContextlogError {
      // @ts-expect-error 'NOT_IN_THE_TABLE' is no ContextlogErrorCode
      readonly code = 'NOT_IN_THE_TABLE';
    }
    expect(new Stray('x').code).toBe('NOT_IN_THE_TABLE');
  });
});
