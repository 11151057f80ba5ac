import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index.js';
import { checkJsonData } from './json-data.js';

const refusal = (value: unknown, prefix: readonly PropertyKey[] = []) => {
  try {
    checkJsonData(value, prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
};

describe('checkJsonData', () => {
  it('returns JSON data as it is, with undefined object properties and null prototypes', () => {
    const bare: Record<string, unknown> = Object.create(null);
    bare.k = [1, 'two', null, true, { deep: -1.5 }];
    const value = { a: bare, b: undefined, c: [], d: {} };
    expect(checkJsonData(value)).toBe(value);
    expect(checkJsonData('text')).toBe('text');
    expect(checkJsonData(null)).toBe(null);
  });

  it.each([
    ['a Date', new Date(0), 'a Date'],
    ['a Map', new Map(), 'a Map'],
    ['a class instance', new (class Turn {})(), 'a Turn'],
    ['a function', () => 1, 'a function'],
    ['NaN', Number.NaN, 'NaN (JSON has no NaN)'],
    ['Infinity', Number.POSITIVE_INFINITY, 'Infinity (JSON has no Infinity)'],
    ['a bigint', 10n, 'a bigint (10n)'],
    ['a symbol', Symbol('s'), 'a symbol'],
  ])('refuses %s and names where it is', (_, bad, what) => {
    const error = refusal({ messages: [{ role: 'user', extra: { list: [1, bad] } }] });
    expect(error.path).toBe('messages[0].extra.list[1]');
    expect(error.message).toContain(`got ${what}`);
  });

  it('refuses an undefined array item and a hole (JSON stores both as null)', () => {
    expect(refusal({ list: [1, undefined] }).path).toBe('list[1]');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    expect(refusal({ list: [1, , 3] }).path).toBe('list[1]');
  });

  it('refuses an own __proto__ key, which JSON.parse and objects read differently', () => {
    const value = JSON.parse('{"extra":{"__proto__":{"x":1}}}') as unknown;
    expect(refusal(value).path).toBe('extra.__proto__');
  });

  it('refuses a cycle, and nesting deeper than 1000 levels, with a ValidationError', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    expect(refusal({ extra: cycle }).message).toContain('or a cycle');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1002; i++) deep = [deep];
    expect(refusal(deep).message).toContain('more than 1000 levels of nesting');
    let fine: unknown = 'leaf';
    for (let i = 0; i < 900; i++) fine = { down: fine };
    expect(checkJsonData(fine)).toBe(fine);
  });

  it('puts the prefix before the path', () => {
    expect(refusal({ at: new Date(0) }, [3, 'data']).path).toBe('[3].data.at');
  });
});
