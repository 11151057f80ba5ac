import { describe, expect, it } from 'vitest';
import { deepFreeze } from './json.js';

describe('deepFreeze', () => {
  it('freezes every object and array of a JSON value, and returns it', () => {
    const value = {
      role: 'assistant',
      content: [{ type: 'text', text: 'hi' }],
      tool_calls: [{ type: 'function', id: 'c1', function: { name: 'Shell', arguments: null } }],
      extras: { nested: { list: [1, [2, { deep: true }]] } },
    };
    expect(deepFreeze(value)).toBe(value);
    const objects: unknown[] = [];
    const collect = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      objects.push(node);
      for (const child of Object.values(node)) collect(child);
    };
    collect(value);
    expect(objects).toHaveLength(11);
    for (const node of objects) expect(Object.isFrozen(node)).toBe(true);
  });

  it('leaves primitives and null as they are', () => {
    expect(deepFreeze('text')).toBe('text');
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
  });

  it('ends on a cycle', () => {
    const node: { self?: unknown; list: unknown[] } = { list: [] };
    node.self = node;
    node.list.push(node);
    expect(() => deepFreeze(node)).not.toThrow();
    expect(Object.isFrozen(node) && Object.isFrozen(node.list)).toBe(true);
  });
});
