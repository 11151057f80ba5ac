import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect } from 'vitest';
import { normalizeKimiMessage } from './normalize-message.js';
import { isPlainKimiMessage } from './plain-message.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

// Message-shaped values: mostly right, any field free to be null, missing or of another type.
const noise = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null));
function messages(validWeight: number) {
  const maybe = <T>(valid: fc.Arbitrary<T>) =>
    fc.oneof({ weight: validWeight, arbitrary: valid }, { weight: 1, arbitrary: noise });
  const nullable = <T>(valid: fc.Arbitrary<T>) =>
    fc.option(valid, { nil: null, freq: validWeight });
  const media = fc.record(
    { url: maybe(fc.string()), id: maybe(nullable(fc.string())), extra: noise },
    { requiredKeys: ['url'] },
  );
  const part = maybe(
    fc.oneof(
      fc.record({ type: fc.constant('text'), text: maybe(fc.string()) }),
      fc.record(
        {
          type: fc.constant('think'),
          think: maybe(fc.string()),
          encrypted: maybe(nullable(fc.string())),
        },
        { requiredKeys: ['type', 'think'] },
      ),
      fc.record({ type: fc.constant('image_url'), image_url: maybe(media) }),
      fc.record({ type: fc.constant('audio_url'), audio_url: maybe(media) }),
      fc.record({ type: fc.constant('video_url'), video_url: maybe(media) }),
      fc.record({ type: fc.constantFrom('file', 'x'), data: noise }),
    ),
  );
  const toolCall = maybe(
    fc.record(
      {
        type: maybe(fc.constant('function')),
        id: maybe(fc.string()),
        function: maybe(
          fc.record(
            { name: maybe(fc.string()), arguments: maybe(nullable(fc.string())) },
            { requiredKeys: ['name'] },
          ),
        ),
        extras: maybe(nullable(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })))),
      },
      { requiredKeys: ['id', 'function'] },
    ),
  );
  return fc.record(
    {
      role: maybe(fc.constantFrom('user', 'assistant', 'tool', 'system')),
      content: maybe(fc.oneof(fc.string(), fc.array(part, { maxLength: 3 }))),
      name: maybe(nullable(fc.string())),
      tool_calls: maybe(nullable(fc.array(toolCall, { maxLength: 2 }))),
      tool_call_id: maybe(nullable(fc.string())),
      partial: maybe(fc.oneof(fc.boolean(), fc.constantFrom('yes', 0, null))),
      extra_field: noise,
    },
    { requiredKeys: ['role'] },
  );
}

// Through JSON text, as the import sees it (own "__proto__" keys included).
const parsedLine = fc
  .oneof(messages(10), messages(200))
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

const seen = { plain: 0, other: 0 };
afterAll(() => console.log('plain message property:', seen));

describe('isPlainKimiMessage', () => {
  test.prop([parsedLine], { numRuns: RUNS })(
    'says yes only for a message normalization returns unchanged, without warnings',
    (value) => {
      if (!isPlainKimiMessage(value)) {
        seen.other++;
        return;
      }
      seen.plain++;
      const normalized = normalizeKimiMessage(structuredClone(value) as Record<string, unknown>);
      expect(normalized.ok).toBe(true);
      if (!normalized.ok) return;
      expect(normalized.warnings).toEqual([]);
      // Same value and same key order: the import splices the line's own text for it.
      expect(JSON.stringify(normalized.message)).toBe(JSON.stringify(value));
    },
  );

  test.prop([fc.constantFrom('{"__proto__":{}}', '[1]', 'null', '"x"')])(
    'says no to what is not a plain object',
    (text) => {
      const value = JSON.parse(text) as unknown;
      expect(isPlainKimiMessage(value)).toBe(false);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        expect(isPlainKimiMessage({ role: 'user', content: 'x', ...value })).toBe(false);
      }
    },
  );
});
