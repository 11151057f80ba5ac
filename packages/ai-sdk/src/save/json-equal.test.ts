import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json-equal.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

/** The JSON a store gives back, keys sorted: two values are the same JSON iff these are equal. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      Object.defineProperty(out, key, {
        value: sort((v as Record<string, unknown>)[key]),
        enumerable: true,
      });
    }
    return out;
  };
  return JSON.stringify(sort(JSON.parse(JSON.stringify(value))));
}

/** The same JSON written another way: keys reordered, `undefined` keys added here and there. */
function rewritten(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => rewritten(item, seed + i));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  if (seed % 2 === 1) keys.reverse();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    Object.defineProperty(out, key, {
      value: rewritten((value as Record<string, unknown>)[key], seed + key.length),
      enumerable: true,
      writable: true,
    });
  }
  if (seed % 3 === 0) out[`absent-${seed}`] = undefined;
  return out;
}

// Small alphabets, so that independently drawn values are often equal or nearly so.
const arbValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(0, -0, 1, 'a', 'b', true, false, null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', '__proto__'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('jsonEqual', () => {
  test.prop([arbValue, arbValue], { numRuns: RUNS })('is equality of the JSON', (a, b) => {
    expect(jsonEqual(a, b)).toBe(canonical(a) === canonical(b));
  });

  test.prop([fc.jsonValue(), fc.nat()], { numRuns: RUNS })(
    'ignores key order and keys set to undefined',
    (value, seed) => {
      expect(jsonEqual(value, rewritten(value, seed))).toBe(true);
      expect(jsonEqual(rewritten(value, seed), value)).toBe(true);
    },
  );

  it.each([
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { b: undefined, a: 1 }, true],
    [{ a: undefined }, {}, true],
    [{ a: null }, {}, false],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [[1, 2], [2, 1], false],
    [[], {}, false],
    [{}, [], false],
    [{ 0: 'x' }, ['x'], false],
    [[[]], [[[]]], false],
    [0, -0, true],
    ['1', 1, false],
    [{ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } }, false],
  ])('%j and %j: %s', (a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });

  it('compares an own "__proto__" key like any other', () => {
    const a = JSON.parse('{"__proto__":{"x":1},"k":2}');
    expect(jsonEqual(a, JSON.parse('{"k":2,"__proto__":{"x":1}}'))).toBe(true);
    expect(jsonEqual(a, JSON.parse('{"__proto__":{"x":2},"k":2}'))).toBe(false);
    expect(jsonEqual(a, { k: 2 })).toBe(false);
    expect(jsonEqual({ k: 2 }, a)).toBe(false);
    // An empty own "__proto__" object is a key that `{}` lacks, not its prototype.
    expect(jsonEqual(JSON.parse('{"__proto__":{}}'), {})).toBe(false);
    expect(jsonEqual({}, JSON.parse('{"__proto__":{}}'))).toBe(false);
    expect(jsonEqual(JSON.parse('{"__proto__":{}}'), { b: 1 })).toBe(false);
  });
});
