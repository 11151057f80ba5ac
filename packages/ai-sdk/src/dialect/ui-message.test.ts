import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbUiMessage } from '../testing/index.js';
import { UiMessageSchema } from './ui-message.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe('UiMessageSchema', () => {
  it('accepts the envelope with any part types and keeps unknown keys', () => {
    const message = {
      id: 'm1',
      role: 'assistant',
      parts: [
        { type: 'step-start' },
        { type: 'reasoning', text: 'hm', state: 'done', providerMetadata: undefined },
        { type: 'tool-weather', toolCallId: 'c1', state: 'output-available', input: {}, output: 1 },
        { type: 'data-x', data: [1, 2] },
        { type: 'custom', kind: 'openai.thing' },
      ],
      metadata: { createdAt: 1 },
      extra: 'kept',
    };
    expect(UiMessageSchema.parse(message)).toBe(message);
  });

  it('gives back the value itself, an own "__proto__" key included', () => {
    const text =
      '{"__proto__":{"a":1},"id":"m","role":"user","parts":[{"type":"text","text":"x","__proto__":[1]}]}';
    const parsed = UiMessageSchema.parse(JSON.parse(text));
    expect(JSON.stringify(parsed)).toBe(text);
  });

  it.each([
    [{ id: 1, role: 'user', parts: [] }, 'id'],
    [{ role: 'user', parts: [] }, 'id'],
    [{ id: 'a', role: 'tool', parts: [] }, 'role'],
    [{ id: 'a', role: 'user' }, 'parts'],
    [{ id: 'a', role: 'user', parts: {} }, 'parts'],
    [{ id: 'a', role: 'user', parts: [{ text: 'no type' }] }, 'parts.0.type'],
    [{ id: 'a', role: 'user', parts: [{ type: 3 }] }, 'parts.0.type'],
    [{ id: 'a', role: 'user', parts: ['text'] }, 'parts.0'],
  ])('refuses %j at %s', (value, path) => {
    const result = UiMessageSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it.each([null, undefined, 'text', [], 1])('refuses %j', (value) => {
    expect(UiMessageSchema.safeParse(value).success).toBe(false);
  });

  it('names the path of a bad field inside an enclosing schema', async () => {
    const { z } = await import('zod');
    const result = z.object({ messages: z.array(UiMessageSchema) }).safeParse({
      messages: [
        { id: 'a', role: 'user', parts: [] },
        { id: 'b', parts: [] },
      ],
    });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['messages', 1, 'role']]);
  });

  test.prop([arbUiMessage()], { numRuns: RUNS })(
    'accepts every generated UIMessage and keeps it JSON-identical',
    (message) => {
      const text = JSON.stringify(message);
      const parsed = UiMessageSchema.parse(JSON.parse(text));
      expect(JSON.stringify(parsed)).toBe(text);
    },
  );

  test.prop([arbUiMessage(), fc.constantFrom('id', 'role', 'parts')], { numRuns: RUNS })(
    'refuses a generated UIMessage without one of its required keys',
    (message, key) => {
      const { [key]: _removed, ...rest } = message;
      expect(UiMessageSchema.safeParse(rest).success).toBe(false);
    },
  );
});
