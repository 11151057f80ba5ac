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

  it('accepts a nested own __proto__ key, which JSON.parse gives back as an own key', () => {
    const value = JSON.parse('{"extra":{"__proto__":{"x":1}}}') as unknown;
    expect(checkJsonData(value)).toBe(value);
  });

  it('lets through what JSON leaves out without a trace: symbol keys, named array properties', () => {
    const match = /b/.exec('abc');
    const tagged = { [Symbol('orm')]: { row: 1 }, a: 1 };
    const value = { found: match, tagged };
    expect(checkJsonData(value)).toBe(value);
  });

  it('refuses an object whose prototype is a plain object', () => {
    expect(refusal({ derived: Object.create({ inherited: 1 }) }).message).toContain(
      'an object whose prototype is not Object.prototype',
    );
  });

  it('refuses a cycle where it closes, and nesting deeper than 1000 levels', () => {
    const cycle: Record<string, unknown> = { payload: [1, 2, 3] };
    cycle.self = { back: cycle };
    const error = refusal({ extra: cycle });
    expect(error.path).toBe('extra.self.back');
    expect(error.message).toContain('a cycle');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1002; i++) deep = [deep];
    expect(refusal(deep).message).toContain('more than 1000 levels of nesting');
    let fine: unknown = 'leaf';
    for (let i = 0; i < 900; i++) fine = { down: fine };
    expect(checkJsonData(fine)).toBe(fine);
  });

  it('walks a cycle beside wide data a bounded number of times, not once per level', () => {
    let reads = 0;
    const item = {
      get n() {
        reads++;
        return 1;
      },
    };
    const node: Record<string, unknown> = { payload: Array.from({ length: 1_000 }, () => item) };
    node.self = node;
    expect(refusal({ extra: node }).path).toBe('extra.self');
    // Unrolled level by level to the depth limit, each item would be read ~1,000 times.
    expect(reads).toBeLessThan(40 * 1_000);
  });

  it('accepts objects 1000 levels below the top, and names a bad field beside them', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    // The innermost array of { d: nest(n) } is n levels below the top object.
    const deepest = { d: nest(1000) };
    expect(checkJsonData(deepest)).toBe(deepest);
    expect(refusal({ d: nest(1000), bad: new Date(0) }).path).toBe('bad');
    expect(refusal({ d: nest(1001) }).message).toContain('more than 1000 levels of nesting');
  });

  it('puts the prefix before the path', () => {
    expect(refusal({ at: new Date(0) }, [3, 'data']).path).toBe('[3].data.at');
  });
});
