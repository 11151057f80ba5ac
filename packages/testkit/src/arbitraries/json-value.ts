import type { JsonValue } from '@contextlog/core';
import fc from 'fast-check';
import { arbName, arbText } from './strings.js';

const arbScalar: fc.Arbitrary<JsonValue> = fc.oneof(
  arbText(12),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

/** Finite JSON values, two levels deep at most: what `setMetadata` and extras carry. */
export function arbJsonValue(): fc.Arbitrary<JsonValue> {
  return fc.oneof(
    { weight: 4, arbitrary: arbScalar },
    { weight: 1, arbitrary: fc.array(arbScalar, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(arbName(), arbScalar, { maxKeys: 3 }) },
  );
}
