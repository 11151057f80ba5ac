import { parseStoredEvent } from '@contextlog/core/store';
import { arbStoredEvents, fuzzRuns } from '@contextlog/testkit';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { fastStoredEvent } from './fast-event.js';

type Json = unknown;

/** Every object or array inside `value`, with the value itself. */
function containers(value: Json, out: Array<Record<string, Json> | Json[]> = []) {
  if (typeof value === 'object' && value !== null) {
    out.push(value as Record<string, Json>);
    for (const child of Object.values(value)) containers(child, out);
  }
  return out;
}

const FAST_TYPES = new Set([
  'messages.appended',
  'usage.recorded',
  'system_prompt.set',
  'checkpoint.created',
]);

test.prop([arbStoredEvents({ maxLength: 6 })], { numRuns: fuzzRuns(200) })(
  'takes the fast path for valid events of the common types, returning what parseStoredEvent returns',
  (events) => {
    for (const event of events) {
      const raw = JSON.parse(JSON.stringify(event));
      const fast = fastStoredEvent(raw);
      if (FAST_TYPES.has(event.type)) expect(fast).toBe(raw);
      else expect(fast).toBeUndefined();
      if (fast !== undefined) expect(parseStoredEvent(structuredClone(raw))).toEqual(fast);
    }
  },
);

test.prop(
  [
    arbStoredEvents({ maxLength: 3 }),
    fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('set', 'delete', 'add'),
        key: fc.constantFrom(
          'type',
          'text',
          'role',
          'content',
          'id',
          'x',
          '__proto__',
          'v',
          'seq',
          'op',
        ),
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  ],
  { numRuns: fuzzRuns(500) },
)('never says yes to a value parseStoredEvent would reject or return changed', (events, edits) => {
  for (const event of events) {
    const raw = JSON.parse(JSON.stringify(event));
    for (const edit of edits) {
      const targets = containers(raw);
      const target = targets[edit.at % targets.length] as Record<string, Json>;
      const keys = Object.keys(target);
      const key = Array.isArray(target)
        ? String(edit.at % Math.max(1, target.length))
        : edit.op === 'add'
          ? edit.key
          : (keys[edit.at % Math.max(1, keys.length)] ?? edit.key);
      if (edit.op === 'delete') delete target[key];
      else
        Object.defineProperty(target, key, {
          value: structuredClone(edit.value),
          enumerable: true,
          configurable: true,
          writable: true,
        });
    }
    const mutated = JSON.parse(JSON.stringify(raw));
    const fast = fastStoredEvent(mutated);
    if (fast === undefined) continue;
    let parsed: unknown;
    expect(() => {
      parsed = parseStoredEvent(structuredClone(mutated));
    }).not.toThrow();
    expect(JSON.stringify(sortKeys(parsed))).toBe(JSON.stringify(sortKeys(fast)));
  }
});

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, Json>)[k])]),
    );
  }
  return value;
}
