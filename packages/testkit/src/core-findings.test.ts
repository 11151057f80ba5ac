// Bugs the testkit found in @contextlog/core, kept as regression tests once core was fixed.
import { createContext, openMemoryStore } from '@contextlog/core';
import { parseStoredEvent } from '@contextlog/core/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEngine } from './index.js';

describe('core findings', () => {
  // The metadata projection once assigned `draft[key] = value` on an immer draft: for the key
  // "__proto__" that is a prototype change, which immer refused with an untyped Error. The key is
  // now refused up front with a typed error naming the field.
  it('setMetadata("__proto__", …) rejects with a ValidationError and writes nothing', async () => {
    const store = await openMemoryStore();
    const engine = await createContext(store);
    await expect(engine.setMetadata('__proto__', { a: 1 })).rejects.toMatchObject({
      code: 'VALIDATION',
      path: 'key',
    });
    await expect(engine.setMetadata('__proto__', 'text')).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(store.events).toEqual([]);
    await engine.setMetadata('title', 'still serving');
    expect(engine.state.metadata).toEqual({ title: 'still serving' });
  });

  it('a stored metadata.set with key "__proto__" is a typed error, not a crash', () => {
    const line =
      '{"seq":1,"type":"metadata.set","v":1,"at":"2026-01-01T00:00:00.000Z","data":{"key":"__proto__","value":{"a":1}}}';
    expect(() => parseStoredEvent(JSON.parse(line))).toThrow(
      expect.objectContaining({ code: 'VALIDATION', path: 'data.key' }),
    );
  });

  it('checkEngine passes core when calls set the metadata key "__proto__"', async () => {
    await checkEngine((store) => createContext(store), {
      operation: fc.constant({ kind: 'setMetadata', key: '__proto__', value: { a: 1 } } as const),
      numRuns: 5,
    });
  });
});
